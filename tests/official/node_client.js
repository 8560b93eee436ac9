// Drives the official minFraud Node client (@maxmind/minfraud-api-node),
// unmodified, against the txveil sidecar over TLS. Prints one JSON object.
// Environment: NODE_OPTIONS=--require node_port_shim.js, SIDECAR_PORT,
// NODE_EXTRA_CA_CERTS (the test CA), APP_ACCOUNT_ID, APP_TOKEN.
const minFraud = require('@maxmind/minfraud-api-node');

const account = process.env.APP_ACCOUNT_ID;
const token = process.env.APP_TOKEN;

function transaction(shippingAddress) {
  return new minFraud.Transaction({
    device: new minFraud.Device({ ipAddress: '81.2.69.160' }),
    email: new minFraud.Email({ address: 'Jane.Doe+checkout@GoogleMail.com', domain: 'googlemail.com' }),
    shipping: new minFraud.Shipping({ address: shippingAddress, city: 'New Haven' }),
    creditCard: new minFraud.CreditCard({ issuerIdNumber: '411111', lastDigits: '1111' }),
    order: new minFraud.Order({ amount: 323.21, currency: 'USD' }),
  });
}

async function main() {
  const out = {};
  const client = new minFraud.Client(account, token, 5000, 'localhost');
  const score = await client.score(transaction('322 Ship Addr. Ln.'));
  out.score_risk = score.riskScore;
  const insights = await client.insights(transaction('322 Ship Addr. Ln.'));
  out.insights_ip_risk = insights.ipAddress.risk;
  const factors = await client.factors(transaction('322 Ship Addr. Ln.'));
  out.factors_risk = factors.riskScore;
  try {
    await client.score(transaction('card 4111 1111 1111 1111'));
    out.pan = 'accepted';
  } catch (e) {
    out.pan = { code: e.code, error: e.error };
  }
  out.report = (await client.reportTransaction(new minFraud.TransactionReport({
    ipAddress: '81.2.69.160', tag: minFraud.Constants.Tag.CHARGEBACK, transactionId: 'txn1',
  }))) ?? null;
  const bad = new minFraud.Client(account, 'wrong-token', 5000, 'localhost');
  try {
    await bad.score(transaction('x'));
    out.auth = 'accepted';
  } catch (e) {
    out.auth = { code: e.code };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(JSON.stringify(e));
  process.exit(1);
});
