// Drives the official minFraud Node client, unmodified, into the sidecar's
// per-client rate limit (1 request/s, burst 2): three score calls in a row.
// Prints one JSON object. Environment as node_client.js.
const minFraud = require('@maxmind/minfraud-api-node');

async function main() {
  const client = new minFraud.Client(process.env.APP_ACCOUNT_ID, process.env.APP_TOKEN, 5000, 'localhost');
  const transaction = new minFraud.Transaction({
    device: new minFraud.Device({ ipAddress: '81.2.69.160' }),
  });
  const out = { results: [] };
  for (let i = 0; i < 3; i += 1) {
    try {
      await client.score(transaction);
      out.results.push('ok');
    } catch (e) {
      out.results.push(e.code);
      out.error = e.error;
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(JSON.stringify(e));
  process.exit(1);
});
