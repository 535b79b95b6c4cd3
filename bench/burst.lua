-- wrk script for the fire burst (bench/support.ts runWrkBurst). Each request carries the next
-- tap's Authorization header (and its client address as X-Forwarded-For), in order, from the file
-- named by AUTHS_FILE (one "tma ...<TAB>address" per line); after the last tap, connections still open only ask for /health. The bench counts the
-- answers on the server and stops wrk once every tap was answered, so no response() here: wrk
-- then skips parsing response bodies.
local taps = {}
local body = '{"signal_id":"' .. os.getenv("SIGNAL_ID") .. '"}'
local sent = 0
local tail = wrk.format("GET", "/health")
-- wrk calls request() once per thread before connecting and drops the answer: give it /health.
local primed = false

function init(args)
  for line in io.lines(os.getenv("AUTHS_FILE")) do
    local auth, ip = line:match("^([^\t]*)\t(.*)$")
    taps[#taps + 1] = { auth = auth or line, ip = ip or "127.0.0.1" }
  end
end

function request()
  if not primed then
    primed = true
    return tail
  end
  if sent >= #taps then return tail end
  sent = sent + 1
  return wrk.format("POST", "/api/fire", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = taps[sent].auth,
    ["X-Forwarded-For"] = taps[sent].ip,
  }, body)
end
