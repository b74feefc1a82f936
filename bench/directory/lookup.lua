-- wrk script of the directory benchmark (bench/directory/run): GET /v1/recipients/{id} for
-- identifiers drawn at random from a file, one "kind<TAB>scheme:value" a line, where kind says what
-- the gateway should answer: "live" (can_receive true), "removed" (a source dropped it:
-- not_registered) or "unknown" (never in any source: unknown). Every answer is checked against
-- its kind; a 200 with the wrong answer counts as wrong, anything but 200 as bad.
--
--   EIGW_BENCH_KEY=<api key> EIGW_BENCH_IDS=ids.tsv [EIGW_BENCH_UNKNOWN=not_registered] \
--     wrk -t2 -c32 -d20s --latency -s lookup.lua URL
--
-- The list may hold a million identifiers. When the files <ids>.1, <ids>.2, ... exist, wrk thread
-- N reads only <ids>.N (its share), else every thread reads <ids>. A thread reads its list at its
-- first request, inside the thread: wrk starts a thread as soon as its script is loaded and starts
-- its clock only when all are, so a list read while loading the script would let the first threads
-- run ahead, unclocked, while the next ones read theirs (which made a 5 s run look almost twice as
-- fast). This way the reading falls inside the measured time (the rate is, if anything, a little
-- low). Each thread keeps the identifiers and a table of the removed ones: an unknown identifier is
-- recognised by its shape (the benchmark makes them 0037:0037<8 digits>ZZ<3 digits>, which the
-- registry never has), every other one is live. Identifiers are compared without regard to case.
--
-- done() prints one line  EIGW_BENCH {"kind":"lookup","ok":N,"wrong":W,"bad":M,...}.

local key = os.getenv("EIGW_BENCH_KEY") or error("EIGW_BENCH_KEY is not set")
local ids_path = os.getenv("EIGW_BENCH_IDS") or error("EIGW_BENCH_IDS is not set")

local function unknown_shape(id)  -- id in lower case
  return id:find("^0037:0037%d%d%d%d%d%d%d%dzz%d%d%d$") ~= nil
end

local ids, removed_ids = nil, {}

local function load_ids(path)
  ids = {}
  for line in io.lines(path) do
    local kind, id = line:match("^(%a+)\t(%S+)$")
    if kind then
      local lower = id:lower()
      if (kind == "unknown") ~= unknown_shape(lower) then
        error(path .. ": '" .. id .. "' is " .. kind .. " but " ..
              (unknown_shape(lower) and "has" or "has not") .. " the shape of an unknown identifier")
      end
      ids[#ids + 1] = id  -- asked as written in the file
      if kind == "removed" then removed_ids[lower] = true end
    end
  end
  if #ids == 0 then error("no identifiers in " .. path) end
end

local function kind_of(id)
  id = id:lower()
  if removed_ids[id] then return "removed" end
  if unknown_shape(id) then return "unknown" end
  return "live"
end

-- What each kind's answer must contain (RecipientJson: docs/api.md, GET /v1/recipients).
-- EIGW_BENCH_UNKNOWN names the reason expected for "unknown": a source that can check one recipient
-- (a peer gateway) is asked at the first lookup and then says not_registered.
local expect = {
  live = '"can_receive":%s*true',
  removed = '"reason":%s*"not_registered"',
  unknown = '"reason":%s*"' .. (os.getenv("EIGW_BENCH_UNKNOWN") or "unknown") .. '"',
}

local threads = {}
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

local headers

function init(args)
  math.randomseed(os.time() + 7919 * tid)
  headers = { ["Authorization"] = "Bearer " .. key }
  ok, wrong, bad = 0, 0, 0
  live, removed, unknown = 0, 0, 0
  bad_by_status = {}
  first_bad, first_wrong = "", ""
end

function request()
  if not ids then
    local share = ids_path .. "." .. tid
    local f = io.open(share)
    if f then f:close() end
    load_ids(f and share or ids_path)
  end
  return wrk.format("GET", "/v1/recipients/" .. ids[math.random(#ids)], headers, nil)
end

-- wrk may complete the requests of a thread's connections in any order, so each answer is checked
-- against the identifier it names.
function response(status, hdrs, body)
  if status ~= 200 then
    bad = bad + 1
    local k = tostring(status)
    bad_by_status[k] = (bad_by_status[k] or 0) + 1
    if first_bad == "" then first_bad = k .. " " .. string.sub(body or "", 1, 300) end
    return
  end
  local id = body:match('^{"id":%s*"([^"]+)"')
  local kind = id and kind_of(id)
  if kind and body:find(expect[kind]) then
    ok = ok + 1
    if kind == "live" then live = live + 1 elseif kind == "removed" then removed = removed + 1 else unknown = unknown + 1 end
  else
    wrong = wrong + 1
    if first_wrong == "" then first_wrong = tostring(kind) .. " " .. string.sub(body or "", 1, 300) end
  end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local t = { ok = 0, wrong = 0, bad = 0, live = 0, removed = 0, unknown = 0 }
  local statuses, fb, fw = {}, "", ""
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
    for k, v in pairs(th:get("bad_by_status")) do statuses[k] = (statuses[k] or 0) + v end
    if fb == "" then fb = th:get("first_bad") end
    if fw == "" then fw = th:get("first_wrong") end
  end
  local parts = {}
  for k, v in pairs(statuses) do table.insert(parts, '"' .. k .. '":' .. v) end
  local e = summary.errors
  io.write(string.format(
    'EIGW_BENCH {"kind":"lookup","ok":%d,"wrong":%d,"bad":%d,"live":%d,"removed":%d,"unknown":%d,' ..
    '"bad_by_status":{%s},"first_bad":%s,"first_wrong":%s,' ..
    '"requests":%d,"duration_us":%d,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    t.ok, t.wrong, t.bad, t.live, t.removed, t.unknown, table.concat(parts, ","), json_string(fb), json_string(fw),
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
