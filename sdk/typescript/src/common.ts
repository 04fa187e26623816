/** What both entries export: wire types, errors, secrets, keys and receipts. */

export {
  SelfmodelError,
  ServerNotTrustedError,
  DiscoveryError,
  ConfigError,
  UnauthorizedError,
  RevokedError,
  ExpiredError,
  ForbiddenError,
  PurposeRefusedError,
  NotFoundError,
  ConflictError,
  GoneError,
  LockedError,
  PausedError,
  RateLimitedError,
  BadRequestError,
  ServerError,
  UnavailableError,
  DeniedError,
  RequestExpiredError,
  TransportError,
  ProtocolError,
  InvalidCheckpointError,
  type Problem,
} from "./errors.js";
export type * from "./wire.js";
export { Token, PollSecret } from "./secret.js";
export { ServerKey, proofMessage } from "./server-key.js";
export {
  CHECKPOINT_CONTEXT,
  checkpointMessage,
  compareCheckpoints,
  verifyCheckpoint,
  type Consistency,
} from "./checkpoint.js";
export { EventFeed, type Approval, type GrantRequest, type PendingGrant, type PollStatus } from "./base-client.js";
