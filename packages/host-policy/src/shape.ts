// The policy's shape on its own, so the modules that read a policy (hostnames.ts) and the one that
// builds it (policy.ts) do not import each other.

/**
 * What an operator lets users point LangGuard at. Users only ever supply the URL; everything
 * here comes from the operator's environment, so widening it is a deliberate decision.
 */
export type HostPolicy = {
  /** A host matches when it is `<label(s)>.<domain>`: a bare domain is never a workspace. */
  allowedDomains: string[];
  /** Exact host names, IP addresses or "*.suffix" patterns, e.g. "127.0.0.1", "localhost", "mlflow.internal.corp". */
  extraHosts: string[];
  /**
   * CIDRs the operator allows even if private, e.g. "127.0.0.0/8". Allowing a host name in
   * `extraHosts` does not allow the internal address it resolves to: operators add the network too.
   */
  allowedNetworks: string[];
  allowHttp: boolean;
  /** Ports besides the scheme's default (443 for https, 80 for http when allowed); 0 means any port. */
  allowedPorts: number[];
  /**
   * Microsoft Entra ID's login endpoint (`SOURCE_ENTRA_LOGIN_URL`), where an Azure service principal
   * gets its tokens; unset means Microsoft's public login host. The bridge lets only jobs of the
   * `azure-client-secret` method reach it, and only that one host.
   */
  entraLoginUrl?: string;
};
