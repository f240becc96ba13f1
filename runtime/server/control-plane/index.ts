/** The runtime's side of the control plane: the mTLS API client and the startup bundle resolution. See README.md. */
export { ControlPlaneClient, ControlPlaneClientConfigError, ControlPlaneRequestError, MAX_ANSWER_BYTES, type ControlPlaneClientOptions } from './control-plane-client';
export { BundleVerificationError, contentDigest, verifyBundleAnswer, type VerifiedBundle } from './control-plane-bundle';
export { resolveStartupBundle, StartupBundleError, type StartupBundle, type StartupBundleOptions, type StartupRetryPolicy } from './startup-bundle';
export { ControlPlaneTurnStart, TURN_START_PATH, type ControlPlaneTurnStartOptions, type TurnStartAnswer } from './control-plane-turn-start';
