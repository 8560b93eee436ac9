// The official Node client always connects to port 443 and its `host` takes
// no port: point the default HTTPS agent at the sidecar's port instead.
require('https').globalAgent.defaultPort = Number(process.env.SIDECAR_PORT);
