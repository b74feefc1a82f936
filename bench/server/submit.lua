-- wrk script of the server benchmark (bench/server/run): POST /v1/invoices with the same invoice
-- body and a distinct Idempotency-Key per request, counting the answers that are not 202.
--
--   EIGW_BENCH_KEY=<api key> EIGW_BENCH_BODY=bench/server/invoice-10-lines.json \
--   EIGW_BENCH_NONCE=<unique per run> wrk -t1 -c16 -d10s --latency -s bench/server/submit.lua URL
--
-- The Idempotency-Key is "<nonce>-<thread>-<counter>": unique per request within a run, and across
-- runs on the same database as long as the nonce differs. done() prints one line
--   EIGW_BENCH {"kind":"submit","ok":N,"bad":M,...}
-- that bench/server/run parses (ok = 202 answers, bad = anything else, by status), and a loud
-- warning when any answer was not 202.

local key = os.getenv("EIGW_BENCH_KEY") or error("EIGW_BENCH_KEY is not set")
local body_path = os.getenv("EIGW_BENCH_BODY") or error("EIGW_BENCH_BODY is not set")
local nonce = os.getenv("EIGW_BENCH_NONCE") or tostring(os.time())

local f = assert(io.open(body_path, "rb"))
local body = f:read("*a")
f:close()

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local prefix
local counter = 0
local headers

function init(args)
  prefix = nonce .. "-" .. tostring(tid) .. "-"
  headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }
  ok = 0
  bad = 0
  bad_by_status = {}
  first_bad = ""
end

function request()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. counter
  return wrk.format("POST", "/v1/invoices", headers, body)
end

function response(status, hdrs, resp_body)
  if status == 202 then
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
    local by = t:get("bad_by_status")
    for k, v in pairs(by) do statuses[k] = (statuses[k] or 0) + v end
    if first == "" then first = t:get("first_bad") end
  end
  local parts = {}
  for k, v in pairs(statuses) do table.insert(parts, '"' .. k .. '":' .. v) end
  local e = summary.errors
  io.write(string.format(
    'EIGW_BENCH {"kind":"submit","ok":%d,"bad":%d,"bad_by_status":{%s},"first_bad":%s,' ..
    '"requests":%d,"duration_us":%d,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    total_ok, total_bad, table.concat(parts, ","), json_string(first),
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  if total_bad > 0 or e.connect + e.read + e.write + e.timeout > 0 then
    io.write(string.format("\n!!!!! %d answers were not 202 (%s); socket errors: connect %d, read %d, write %d, timeout %d\n",
      total_bad, table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
    if first ~= "" then io.write("!!!!! first one: " .. first .. "\n") end
  end
end
