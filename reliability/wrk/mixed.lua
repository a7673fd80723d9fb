-- Mixed Submit Job / Check Job Status load for roambi-fake-server (reliability/load.sh, reliability/soak.sh).
-- Half the requests submit a job with a title of its own; the other half poll a job this thread had accepted.
-- Each thread writes the uid of every job it saw accepted to OUTDIR/uids-<thread>.txt; done() writes the counts
-- (by kind and status class, as classified from the answers) and wrk's own summary to OUTDIR/wrk.json.
-- Arguments after "--": OUTDIR [SUBMIT_PERCENT=50] [MAX_SUBMITS=0 (no limit)] [TOKEN=token-demo]
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local submit_percent, max_submits, token
out_dir = nil  -- a global, so that done() can read it from a thread
local uid_file
local counter, submits_sent = 0, 0
local recent, n_recent = {}, 0
-- Answer counts of this thread, read by done().
submit_ok, submit_4xx, poll_ok, poll_4xx, other, status_5xx = 0, 0, 0, 0, 0, 0
accepted = 0

function init(args)
  out_dir = args[1] or "."
  submit_percent = tonumber(args[2] or "50")
  max_submits = tonumber(args[3] or "0")
  token = args[4] or "token-demo"
  uid_file = io.open(out_dir .. "/uids-" .. id .. ".txt", "w")
  math.randomseed(1000 + id)
end

local submit_path = "/1/accounts/acct-demo/files/analytics"

function request()
  counter = counter + 1
  local submit = n_recent == 0 or (counter % 100) < submit_percent
  if max_submits > 0 and submits_sent >= max_submits then
    if n_recent == 0 then return wrk.format("GET", "/1/jobs/none", {["Authorization"] = "Bearer " .. token}) end
    submit = false
  end
  if submit then
    submits_sent = submits_sent + 1
    local body = '{"title":"load-' .. id .. '-' .. counter .. '","template_uid":"tpl-sales",' ..
                 '"source_file_uid":"src-sales","folder_uid":"fld-reports"}'
    return wrk.format("POST", submit_path, {["Authorization"] = "Bearer " .. token,
                                            ["Content-Type"] = "application/json"}, body)
  end
  local uid = recent[math.random(n_recent)]
  return wrk.format("GET", "/1/jobs/" .. uid, {["Authorization"] = "Bearer " .. token})
end

-- Answers are told apart by their body: a submit's job is "processing" with a fresh uid and progress 0; the
-- status code (2xx for both) would not say which request it answers.
function response(status, headers, body)
  if status >= 500 then status_5xx = status_5xx + 1 return end
  local uid = body:match('"uid":"([0-9a-f%-]+)"')
  if status == 201 or status == 202 then
    submit_ok = submit_ok + 1
    accepted = accepted + 1
    uid_file:write(uid, "\n")
    if n_recent < 1000 then
      n_recent = n_recent + 1
      recent[n_recent] = uid
    else
      recent[math.random(1000)] = uid
    end
  elseif status == 200 then
    poll_ok = poll_ok + 1
  elseif status >= 400 and body:find('"invalid_resource"', 1, true) and body:find('"job_uid"', 1, true) then
    poll_4xx = poll_4xx + 1
  elseif status >= 400 then
    submit_4xx = submit_4xx + 1
  else
    other = other + 1
  end
  if max_submits > 0 and submits_sent >= max_submits and submit_ok + submit_4xx >= max_submits then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local t = {submit_ok = 0, submit_4xx = 0, poll_ok = 0, poll_4xx = 0, other = 0, status_5xx = 0, accepted = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  local f = io.open(threads[1]:get("out_dir") .. "/wrk.json", "w")
  f:write(string.format('{"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p99": %d, "max": %d}, ' ..
    '"submit_ok": %d, "submit_4xx": %d, "poll_ok": %d, "poll_4xx": %d, "other": %d, "status_5xx": %d}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max,
    t.submit_ok, t.submit_4xx, t.poll_ok, t.poll_4xx, t.other, t.status_5xx))
  f:close()
end
