// A real OpenID Connect provider for the single sign-on tests (npm oidc-provider).
//
//   node tests/tools/oidc_provider.mjs PORT APP_BASE_URL
//
// Static client "equipes-quartier" (secret "secret-de-test"), redirect and post-logout URIs on
// APP_BASE_URL, the development login page (any password) and automatic consent for this
// first-party client. Accounts (the login is the account id):
//   claire   claire.vasseur@arras.test   email verified   groups: codir
//   inconnu  personne.inconnue@arras.test email verified   (no agent in the app)
//   nonverif anne.nonverif@arras.test    email NOT verified (an agent has this address)
//   admin    admin@arras.test            email verified   (a staff agent)
// Prints "READY <issuer>" once listening.
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const app = process.argv[3].replace(/\/$/, '');
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  claire: {
    email: 'Claire.Vasseur@arras.test', email_verified: true,
    given_name: 'Claire', family_name: 'Vasseur', name: 'Claire Vasseur', groups: ['codir', 'agents'],
  },
  inconnu: {
    email: 'personne.inconnue@arras.test', email_verified: true,
    given_name: 'Personne', family_name: 'Inconnue', name: 'Personne Inconnue', groups: ['agents'],
  },
  admin: {
    email: 'admin@arras.test', email_verified: true,
    given_name: 'Ada', family_name: 'Admin', name: 'Ada Admin', groups: [],
  },
  nonverif: {
    email: 'anne.nonverif@arras.test', email_verified: false,
    given_name: 'Anne', family_name: 'Nonverif', name: 'Anne Nonverif', groups: [],
  },
};

const configuration = {
  clients: [{
    client_id: 'equipes-quartier',
    client_secret: 'secret-de-test',
    redirect_uris: [`${app}/comptes/oidc/ville/login/callback/`],
    post_logout_redirect_uris: [`${app}/comptes/login/`],
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'groups'],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['cle-de-test-des-cookies'] },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // A first-party client: consent is implied (no consent page).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'given_name', 'family_name', 'groups']);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => { console.log(`READY ${issuer}`); });
