// Reads an iCalendar file the way Thunderbird does (ical.js, its parser) and prints each event's
// UID, start and end as UTC instants, in JSON. The file's own VTIMEZONE definitions are
// registered first, as a calendar program does with an invitation it receives.
// Usage: node ical_instants.cjs FILE.ics
const fs = require("fs");
const path = require("path");
const ICAL = require(path.resolve(process.env.NODE_MODULES || "node_modules", "ical.js/dist/ical.es5.cjs"));

const text = fs.readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
  };
});
process.stdout.write(JSON.stringify(events));
