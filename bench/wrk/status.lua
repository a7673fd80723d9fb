-- wrk script: Check Job Status of one job that exists before the run (ROAMBI_STATUS_PATH, e.g. /1/jobs/<uid>).
-- Usage: ROAMBI_STATUS_PATH=/1/jobs/<uid> wrk -s bench/wrk/status.lua http://127.0.0.1:PORT   (env: ROAMBI_TOKEN)
local token = os.getenv("ROAMBI_TOKEN") or "token-demo"
local path = os.getenv("ROAMBI_STATUS_PATH") or "/1/jobs/sample"

local req

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  req = wrk.format("GET", path)
end

function request()
  return req
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    e.status, e.connect, e.read, e.write, e.timeout))
end
