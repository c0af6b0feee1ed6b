// Subscribes with the graphql-ws client and prints the first result as one JSON line.
// Usage: node subscribe.mjs <ws url> <token> <query> [variables as JSON]
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, query, variables] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { connected: () => console.error("connected") },
});
const subscription = client.iterate({ query, variables: variables ? JSON.parse(variables) : {} });
try {
  for await (const result of subscription) {
    console.log(JSON.stringify(result));
    break;
  }
} finally {
  await client.dispose();
}
