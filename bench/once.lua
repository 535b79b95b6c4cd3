-- wrk script (bench/memory.ts): sends the lines of LINES_FILE ("<authorization>\t<x-forwarded-for>\t<path>")
-- as GETs in order; once past the last, `/health`. The benchmark stops wrk when every user exists.
local lines = {}
local sent = 0
-- wrk calls request() once per thread before connecting and drops the answer: give it /health.
local primed = false

function init(args)
  for line in io.lines(os.getenv("LINES_FILE")) do
    local auth, ip, path = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    lines[#lines + 1] = wrk.format("GET", path, { ["Authorization"] = auth, ["X-Forwarded-For"] = ip })
  end
end

function request()
  if not primed then
    primed = true
    return wrk.format("GET", "/health")
  end
  sent = sent + 1
  if sent > #lines then return wrk.format("GET", "/health") end
  return lines[sent]
end
