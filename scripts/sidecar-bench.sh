# Shared by scripts/bench-sidecar, scripts/count-sidecar and
# scripts/syscalls-sidecar (sourced, not run): the mock upstream the proxies
# sit in front of, a single-process nginx proxy, the bench client's
# credentials, and the wrk script that posts the sample request.

# nginx settings every configuration here needs: temp paths under DIR.
# Usage: nginx_temps DIR
nginx_temps() {
  local dir="$1"
  echo "client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fcgi; uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;"
}

# Starts the mock upstream on PORT: one nginx worker answering every request
# with a fixed Score response. Its pid file is DIR/upstream.pid.
# Usage: start_mock_upstream DIR PORT
start_mock_upstream() {
  local dir="$1" port="$2"
  cat > "$dir/upstream.conf" <<CONF
worker_processes 1; pid $dir/upstream.pid; error_log $dir/error.log; events { worker_connections 4096; }
http { access_log off; $(nginx_temps "$dir")
  server { listen 127.0.0.1:$port; keepalive_requests 1000000;
    location / { default_type application/json;
      return 200 '{"id":"27d26476-e2bc-11e4-92b8-962e705b4af5","risk_score":0.01,"funds_remaining":10.0,"queries_remaining":1000}'; } } }
CONF
  nginx -p "$dir" -c "$dir/upstream.conf"
}

# Writes DIR/clients.toml (app 1001, "bench"), DIR/license-key and
# DIR/post.lua, and exports BODY (the 2 KB sample request) and AUTH (app
# 1001's Basic credentials) for wrk and curl.
# Usage: bench_client DIR
bench_client() {
  local dir="$1" token=bench-token digest
  digest=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
  printf '[[client]]\nname = "bench"\naccount_id = 1001\ntoken_sha256 = "%s"\n' "$digest" > "$dir/clients.toml"
  printf 'bench-license-key\n' > "$dir/license-key"
  cat > "$dir/post.lua" <<'LUA'
local f = io.open(os.getenv("BODY"), "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. os.getenv("AUTH")
LUA
  export BODY="$PWD/tests/data/transaction-raw.json"
  AUTH="$(printf '1001:%s' "$token" | base64)"
  export AUTH
}

# Writes DIR/proxy.conf: nginx `proxy_pass` on PORT to the mock upstream on
# UP, as one process in the foreground (`nginx -p DIR -c DIR/proxy.conf`),
# so that a tracer started with it follows all of its work.
# Usage: single_nginx_proxy DIR PORT UP
single_nginx_proxy() {
  local dir="$1" port="$2" up="$3"
  cat > "$dir/proxy.conf" <<CONF
master_process off; daemon off; worker_processes 1; pid $dir/proxy-nginx.pid; error_log $dir/error.log; events { worker_connections 1024; }
http { access_log off; $(nginx_temps "$dir")
  upstream mock { server 127.0.0.1:$up; keepalive 16; }
  server { listen 127.0.0.1:$port; keepalive_requests 1000000;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
}
