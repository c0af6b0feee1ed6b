// Runs graphql-http's GraphQL-over-HTTP server audits against a URL and prints one JSON
// line per audit ({id, name, status, reason}); exits 1 when any audit warns or fails.
// Usage: node audit.mjs <http url> [Authorization header value]
import { serverAudits } from "graphql-http";

const [url, authorization] = process.argv.slice(2);
const fetchFn = authorization
  ? (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", authorization);
      return fetch(input, { ...init, headers });
    }
  : fetch;

let failed = false;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") {
    line.reason = result.reason;
    line.httpStatus = result.response.status;
    line.contentType = result.response.headers.get("content-type");
    line.body = await result.response.text();
  }
  if (result.status === "warn" || result.status === "error") failed = true;
  console.log(JSON.stringify(line));
}
process.exit(failed ? 1 : 0);
