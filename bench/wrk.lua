-- One benchmark row, driven by bench/load.py through environment variables:
--   BENCH_WRK_MODE  get (wrk's one URL) | paths (cycle through a file of paths)
--                   | post (comment POSTs, each from a distinct reader, to the paths)
--   BENCH_WRK_PATHS the file of paths (one per line) for paths and post
--   BENCH_WRK_TOKEN a word unique to the run, in every posted email (rows are counted by it)
--   BENCH_WRK_IP_BASE a number unique to the run, so no client IP repeats across runs
-- Every thread counts its answers by status; done() adds them up across threads and
-- prints one line, BENCH-JSON {...}, with the totals and the latency percentiles.

local mode = os.getenv("BENCH_WRK_MODE") or "get"
local paths_file = os.getenv("BENCH_WRK_PATHS")
local token = os.getenv("BENCH_WRK_TOKEN") or "run"
local ip_base = tonumber(os.getenv("BENCH_WRK_IP_BASE") or "0")
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  paths = {}
  if paths_file and paths_file ~= "" then
    for line in io.lines(paths_file) do
      paths[#paths + 1] = line
    end
  end
  -- Threads start at different places in the list.
  n = (tid * 7919) % math.max(#paths, 1)
  sent = 0
end

if mode == "paths" then
  function request()
    n = n + 1
    return wrk.format("GET", paths[n % #paths + 1])
  end
elseif mode == "post" then
  function request()
    n = n + 1
    sent = sent + 1
    local reader = string.format("%s-%d-%d", token, tid, sent)
    local body = string.format(
      '{"author_name":"Reader %s","author_email":"bench-%s@example.com",' ..
      '"body":"Comment %s: a reader agrees with the article and adds a thought."}',
      reader, reader, reader)
    -- A distinct client IP per comment (the trusted proxy's X-Forwarded-For hop), in
    -- 10.0.0.0/8: 2^20 per thread, from where this run starts.
    local k = (ip_base + tid * 1048576 + sent) % 16777216
    local headers = {
      ["Content-Type"] = "application/json",
      ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(k / 65536),
        math.floor(k / 256) % 256, k % 256),
    }
    return wrk.format("POST", paths[n % #paths + 1], headers, body)
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ",")))
end
