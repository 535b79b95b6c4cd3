-- wrk script (bench/wrk.ts runWrk): GET REQUEST_PATH, each request with the next line of
-- ROTATE_FILE ("<authorization>\t<x-forwarded-for>") in turn, so a run spreads over many users and
-- client addresses the way production traffic does (and stays within the per-user and per-address
-- rate limits at their defaults, which every request still checks).
local lines = {}
local i = 0
local path = os.getenv("REQUEST_PATH")

function init(args)
  for line in io.lines(os.getenv("ROTATE_FILE")) do
    local auth, ip = line:match("^([^\t]*)\t(.*)$")
    lines[#lines + 1] = wrk.format("GET", path, { ["Authorization"] = auth, ["X-Forwarded-For"] = ip })
  end
end

function request()
  i = i % #lines + 1
  return lines[i]
end
