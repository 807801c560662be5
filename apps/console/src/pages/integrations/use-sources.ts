import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";

/** The sources this deployment allows and its host policy, for the integration form's checks. */
export function useSources() {
  return useLoad((signal) => unwrap(api.GET("/api/integrations/sources", { signal })), []);
}
