import type { BlobStore } from './blob-store.ts';
import type { Clock } from './clock.ts';
import type { DynamoStore } from './dynamo-store.ts';
import type { Mailer } from './mailer.ts';
import type { Telemetry } from './telemetry.ts';
import type { TimerPort } from './timer-port.ts';
import type { WorkflowPort } from './workflow-port.ts';

/** Where staff sign in: an OpenID Connect issuer and the client ids its tokens must be for. */
export interface SignInSettings {
  /** The issuer URL exactly as its tokens name it (`iss`): Cognito's user pool, the embedded provider, Okta, Entra ID… */
  issuer: string;
  /** The app client ids a token must be for: its `aud` or (Cognito access tokens) its `client_id`. */
  audiences: string[];
  /** The claim naming the user's email address, which finds the Steward user (default `email`). */
  emailClaim?: string;
  /** Who becomes Steward's first admin on first sign-in, when no user has that email yet. */
  adminEmail?: string;
}

export interface Settings {
  /** Sender of every email, e.g. "Steward <steward@example.com>". */
  fromAddress: string;
  /** Base URL of the API, for links in emails. */
  publicUrl: string;
  /** The bootstrap API token (an admin credential; monitoring senders' too where allowed). */
  apiToken(): Promise<string>;
  /** The API token and, within its grace period, the one rotated out: either authenticates. */
  apiTokens(): Promise<string[]>;
  /** Key that signs customer links and reply addresses: a secret of its own. */
  linkKey(): Promise<string>;
  /** The link key and, within its grace period, the one rotated out: either verifies a link or address. */
  linkKeys(): Promise<string[]>;
  /**
   * Whether a monitoring integration without a secret of its own may authenticate with the API token:
   * yes locally (the quick start), no on AWS unless deployed with `-c webhooksAcceptApiToken=true`.
   */
  webhooksAcceptApiToken: boolean;
  /**
   * Whether the bootstrap API token still serves staff routes once an admin user exists: yes unless
   * switched off (`STEWARD_BOOTSTRAP_TOKEN=off`, `-c bootstrapToken=off`). It always serves while no
   * admin exists, so nobody is locked out.
   */
  bootstrapTokenOff: boolean;
  /** Where customers write (and reply): replies come back to its plus-addresses. */
  inboundAddress: string;
  /** The signing secret Stripe shows for Steward's webhook endpoint ("whsec_…"). */
  stripeWebhookSecret(): Promise<string>;
  /**
   * Alerts and mail for no known customer: refused, or filed under this customer id (a triage
   * customer). `desk`: the built-in triage customer (id "triage", the default), stored when first
   * needed with this address as its contact and team.
   */
  unknownSender: 'refuse' | { customerId: string; desk?: string };
  /** Staff sign-in with OpenID Connect: whose JWTs the API accepts (none: bearer tokens only). */
  signIn: SignInSettings | undefined;
}

export type SettingName = keyof Settings;

/** "refuse", a customer id, or nothing (the built-in "triage" customer, whose desk is `desk`). */
export const parseUnknownSender = (value: string | undefined, desk?: string): Settings['unknownSender'] => {
  if (value === 'refuse') return 'refuse';
  if (!value || value === 'triage') return { customerId: 'triage', ...(desk ? { desk } : {}) };
  return { customerId: value };
};

/**
 * Everything application services talk to. A function gets only the parts it declares (see
 * `functions/<name>/function.ts`), built by its column's composition root; nothing is global.
 */
export interface Deps {
  store: DynamoStore;
  mailer: Mailer;
  workflows: WorkflowPort;
  clock: Clock;
  telemetry: Telemetry;
  settings: Settings;
  blobs: BlobStore;
  timers: TimerPort;
}
