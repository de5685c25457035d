-- wrk script of `npm run bench`. Driven by environment variables set by bench/lib/load.mjs:
--   BENCH_MODE    get | list | create | update
--   BENCH_PATH    list: the full path with query; get/update: the prefix the id is appended to;
--                 create: the collection's records path
--   BENCH_IDS     file with one record id per line (get, update)
--   BENCH_AUTHORS comma-separated user ids (create)
--   BENCH_AUTH    value of the Authorization header (optional)
-- done() prints one line `BENCH_RESULT {json}` that load.mjs parses.
local mode = os.getenv("BENCH_MODE") or "list"
local path = os.getenv("BENCH_PATH") or "/"
local auth = os.getenv("BENCH_AUTH") or ""
local ids = {}
local authors = {}
local fixed = nil
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  local f = os.getenv("BENCH_IDS")
  if f and f ~= "" then
    for line in io.lines(f) do
      if line ~= "" then ids[#ids + 1] = line end
    end
  end
  local a = os.getenv("BENCH_AUTHORS")
  if a and a ~= "" then
    for id in string.gmatch(a, "[^,]+") do authors[#authors + 1] = id end
  end
  local headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  if mode == "list" then fixed = wrk.format("GET", path, headers) end
end

function request()
  if fixed then return fixed end
  local headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  if mode == "get" then
    return wrk.format("GET", path .. ids[math.random(#ids)], headers)
  elseif mode == "create" then
    headers["Content-Type"] = "application/json"
    local body = string.format(
      '{"title":"bench create %d","body":"created during the load test","views":%d,"published":%s,"author":"%s"}',
      math.random(1, 1000000000), math.random(0, 1000), (math.random() < 0.5) and "true" or "false",
      authors[math.random(#authors)])
    return wrk.format("POST", path, headers, body)
  elseif mode == "update" then
    headers["Content-Type"] = "application/json"
    return wrk.format("PATCH", path .. ids[math.random(#ids)], headers,
      string.format('{"views":%d}', math.random(0, 1000)))
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
