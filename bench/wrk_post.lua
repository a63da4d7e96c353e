-- wrk script for hallmark-signer: POSTs the request bodies of a file (one JSON body per line) in
-- turn, each thread from its own offset, with a bearer token; prints one JSON line at the end.
-- usage: wrk ... -s wrk_post.lua URL -- BODIES_FILE PATH TOKEN
local bodies, requests, next_index = {}, {}, 1

function init(args)
  local file, path, token = args[1], args[2], args[3]
  for line in io.lines(file) do
    bodies[#bodies + 1] = line
  end
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", path, headers, body)
  end
  next_index = 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.0f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
