-- wrk script for the token directory: GETs the paths of a file (one a line) in turn; prints one
-- JSON line at the end, like wrk_post.lua.
-- usage: wrk ... -s wrk_get.lua URL -- PATHS_FILE
local requests, next_index = {}, 1

function init(args)
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", line)
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
