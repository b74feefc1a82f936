-- wrk script of the server benchmark (bench/server/run): GET /v1/invoices/{id} for ids sampled at
-- random from a file of submitted invoice ids (one per line), counting the answers that are not 200.
--
--   EIGW_BENCH_KEY=<api key> EIGW_BENCH_IDS=ids.txt wrk -t1 -c16 -d10s --latency -s bench/server/get.lua URL
--
-- done() prints one line  EIGW_BENCH {"kind":"get","ok":N,"bad":M,...}  (ok = 200 answers).

local key = os.getenv("EIGW_BENCH_KEY") or error("EIGW_BENCH_KEY is not set")
local ids_path = os.getenv("EIGW_BENCH_IDS") or error("EIGW_BENCH_IDS is not set")

local ids = {}
for line in io.lines(ids_path) do
  if line ~= "" then table.insert(ids, line) end
end
if #ids == 0 then error("no ids in " .. ids_path) end

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local headers

function init(args)
  math.randomseed(os.time() + 7919 * tid)
  headers = { ["Authorization"] = "Bearer " .. key }
  ok = 0
  bad = 0
  bad_by_status = {}
  first_bad = ""
end

function request()
  return wrk.format("GET", "/v1/invoices/" .. ids[math.random(#ids)], headers, nil)
end

function response(status, hdrs, resp_body)
  if status == 200 then
    ok = ok + 1
  else
    bad = bad + 1
    local k = tostring(status)
    bad_by_status[k] = (bad_by_status[k] or 0) + 1
    if first_bad == "" then first_bad = k .. " " .. string.sub(resp_body or "", 1, 300) end
  end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local total_ok, total_bad, statuses, first = 0, 0, {}, ""
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_bad = total_bad + t:get("bad")
    for k, v in pairs(t:get("bad_by_status")) do statuses[k] = (statuses[k] or 0) + v end
    if first == "" then first = t:get("first_bad") end
  end
  local parts = {}
  for k, v in pairs(statuses) do table.insert(parts, '"' .. k .. '":' .. v) end
  local e = summary.errors
  io.write(string.format(
    'EIGW_BENCH {"kind":"get","ok":%d,"bad":%d,"bad_by_status":{%s},"first_bad":%s,' ..
    '"requests":%d,"duration_us":%d,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"ids":%d}\n',
    total_ok, total_bad, table.concat(parts, ","), json_string(first),
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, #ids))
  if total_bad > 0 or e.connect + e.read + e.write + e.timeout > 0 then
    io.write(string.format("\n!!!!! %d answers were not 200 (%s); socket errors: connect %d, read %d, write %d, timeout %d\n",
      total_bad, table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
    if first ~= "" then io.write("!!!!! first one: " .. first .. "\n") end
  end
end
