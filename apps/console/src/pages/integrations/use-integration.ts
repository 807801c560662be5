import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";

/** One integration of the signed-in organization; another organization's id fails with 404. */
export function useIntegration(id: string) {
  return useLoad((signal) => unwrap(api.GET("/api/integrations/{id}", { params: { path: { id } }, signal })), [id]);
}
