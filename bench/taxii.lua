-- wrk script of bench/run: POSTs pre-built TAXII 1.1 bodies with the TAXII HTTP headers and
-- checks every answer. Configured by the environment:
--   BENCH_BODIES  directory holding 000000.xml, 000001.xml, ... (one request body each)
--   BENCH_COUNT   how many of them to use (cycled through; each thread starts elsewhere)
--   BENCH_PATH    request path, e.g. /services/inbox
--   BENCH_EXPECT  a string every answer must contain, e.g. status_type="SUCCESS"
-- done() prints one line for bench/run:
--   RESULT requests=N seconds=S rps=R p50_ms=.. p99_ms=.. mean_ms=.. bad=N socket_errors=N
-- bad counts answers that are not HTTP 200 or lack BENCH_EXPECT; the first one is printed.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local requests = {}
local next_index = 0
local expect = os.getenv("BENCH_EXPECT")
bad = 0
first_bad = nil

function init(args)
  local dir = os.getenv("BENCH_BODIES")
  local count = tonumber(os.getenv("BENCH_COUNT"))
  local path = os.getenv("BENCH_PATH")
  for i = 0, count - 1 do
    local name = string.format("%s/%06d.xml", dir, i)
    local f = assert(io.open(name, "rb"))
    local body = f:read("*a")
    f:close()
    -- A fresh header table per body: wrk.format stores Content-Length into the table it gets.
    local headers = {
      ["Content-Type"] = "application/xml",
      ["Accept"] = "application/xml",
      ["X-TAXII-Content-Type"] = "urn:taxii.mitre.org:message:xml:1.1",
      ["X-TAXII-Accept"] = "urn:taxii.mitre.org:message:xml:1.1",
      ["X-TAXII-Services"] = "urn:taxii.mitre.org:services:1.1",
      ["X-TAXII-Protocol"] = "urn:taxii.mitre.org:protocol:http:1.0",
    }
    requests[i + 1] = wrk.format("POST", path, headers, body)
  end
  next_index = (tid * 7919) % #requests
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expect, 1, true) then
    bad = bad + 1
    if first_bad == nil then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 400)
    end
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do
    total_bad = total_bad + t:get("bad")
    local fb = t:get("first_bad")
    if fb ~= nil and total_bad > 0 then
      io.stderr:write("wrk: unexpected answer: " .. fb .. "\n")
    end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f bad=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, total_bad + e.status, socket_errors))
end
