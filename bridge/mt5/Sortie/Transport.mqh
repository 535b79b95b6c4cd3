//+------------------------------------------------------------------+
//| Sortie/Transport.mqh                                             |
//| HTTP (WebRequest), heartbeats, polling and the drop folder.      |
//+------------------------------------------------------------------+
bool ProcessCommandsText(const string text, const string source);   // Execution.mqh

//+------------------------------------------------------------------+
//| HTTP                                                             |
//+------------------------------------------------------------------+
string WebRequestErrorText(const int err)
  {
   if(err == 4014 || err == 4060)
      return "WebRequest is not allowed for " + g_baseUrl +
             ": add it under Tools > Options > Expert Advisors > Allow WebRequest for listed URL (error " +
             IntegerToString(err) + ")";
   if(err == 5200)
      return "the server URL " + g_baseUrl + " is invalid (error 5200)";
   if(err == 5201)
      return "cannot connect to " + g_baseUrl + ": is Sortie running and the address right? (error 5201)";
   if(err == 5202)
      return "request to " + g_baseUrl + " timed out (error 5202)";
   if(err == 5203)
      return "HTTP request to " + g_baseUrl + " failed (error 5203)";
   return "WebRequest failed with error " + IntegerToString(err);
  }

// Returns the HTTP status, or -1 when the request could not be made (see the journal).
int HttpRequest(const string method, const string path, const string body, const int timeoutMs, string &response)
  {
   response = "";
   string url = g_baseUrl + path;
   string headers = "Authorization: Bearer " + BridgeToken + "\r\n" +
                    "Content-Type: application/json\r\n" +
                    "Accept: application/json\r\n";
   char data[];
   if(body != "")
     {
      int n = StringToCharArray(body, data, 0, WHOLE_ARRAY, CP_UTF8);
      if(n > 0 && data[n - 1] == 0)
         n--;   // WebRequest would send the terminating zero as part of the body
      ArrayResize(data, n);
     }
   char result[];
   string resultHeaders;
   ResetLastError();
   int status = WebRequest(method, url, headers, timeoutMs, data, result, resultHeaders);
   if(status == -1)
     {
      int err = GetLastError();
      g_lastProblem = WebRequestErrorText(err);
      LogThrottled("webrequest " + IntegerToString(err), g_lastProblem);
      return -1;
     }
   if(ArraySize(result) > 0)
      response = CharArrayToString(result, 0, WHOLE_ARRAY, CP_UTF8);
   if(status == 401)
     {
      g_lastProblem = "server answered 401: the bridge token is wrong or was rotated";
      LogThrottled("http 401", g_lastProblem + " - paste the current token from the bot's /link or the Mini App profile");
     }
   else
      if(status == 403)
        {
         g_lastProblem = "server answered 403 (forbidden)";
         LogThrottled("http 403", g_lastProblem + ": " + Sub(response, 0, 300));
        }
   return status;
  }

//+------------------------------------------------------------------+
//| Heartbeat                                                        |
//+------------------------------------------------------------------+
bool TradeAllowedNow()
  {
   // ACCOUNT_TRADE_EXPERT is checked too: with it off the broker refuses every EA order, so
   // the bridge must not look tradable to Sortie.
   return TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0 &&
          AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) != 0 &&
          AccountInfoInteger(ACCOUNT_TRADE_EXPERT) != 0 &&
          MQLInfoInteger(MQL_TRADE_ALLOWED) != 0;
  }

int CollectSymbols(string &names[])
  {
   ArrayResize(names, 0);
   string wanted = Trim(SymbolsToReport);
   if(wanted != "")
     {
      string parts[];
      int n = StringSplit(wanted, ',', parts);
      for(int i = 0; i < n; i++)
        {
         string name = Trim(parts[i]);
         if(name == "")
            continue;
         if(!SymbolSelect(name, true))
           {
            LogThrottled("unknown symbol " + name, "SymbolsToReport: " + name + " is not a symbol of this broker", 3600);
            continue;
           }
         int k = ArraySize(names);
         ArrayResize(names, k + 1);
         names[k] = name;
        }
      return ArraySize(names);
     }
   int total = SymbolsTotal(true);
   ArrayResize(names, total);
   for(int i = 0; i < total; i++)
      names[i] = SymbolName(i, true);
   return total;
  }

string BuildHeartbeatJson()
  {
   string json = "{\"account\":{";
   json += "\"login\":" + IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN));
   json += ",\"server\":" + JsonString(AccountInfoString(ACCOUNT_SERVER));
   json += ",\"currency\":" + JsonString(AccountInfoString(ACCOUNT_CURRENCY));
   json += ",\"balance\":" + JsonNum(AccountInfoDouble(ACCOUNT_BALANCE), 2);
   json += ",\"equity\":" + JsonNum(AccountInfoDouble(ACCOUNT_EQUITY), 2);
   json += ",\"trade_allowed\":" + JsonBool(TradeAllowedNow());
   json += "}";

   string names[];
   int count = CollectSymbols(names);
   string symbols = "";
   string prices = "";
   int reported = 0;
   string skipped = "";
   for(int i = 0; i < count && reported < MAX_REPORTED_SYMBOLS; i++)
     {
      string name = names[i];
      int digits = (int)SymbolInfoInteger(name, SYMBOL_DIGITS);
      double tickSize = SymbolInfoDouble(name, SYMBOL_TRADE_TICK_SIZE);
      double tickValue = SymbolInfoDouble(name, SYMBOL_TRADE_TICK_VALUE);
      double volumeMin = SymbolInfoDouble(name, SYMBOL_VOLUME_MIN);
      double volumeStep = SymbolInfoDouble(name, SYMBOL_VOLUME_STEP);
      double volumeMax = SymbolInfoDouble(name, SYMBOL_VOLUME_MAX);
      double contractSize = SymbolInfoDouble(name, SYMBOL_TRADE_CONTRACT_SIZE);
      // Sortie refuses a heartbeat whose symbol list holds an incomplete specification, and MT5
      // reports tick_value 0 until a symbol's conversion rate has arrived. Such a symbol is left
      // out (and comes back on a later heartbeat) rather than letting it take the whole
      // heartbeat, and with it the bridge's online status, down.
      if(tickSize <= 0 || tickValue <= 0 || volumeMin <= 0 || volumeStep <= 0 || volumeMax <= 0 ||
         contractSize < 0 || digits < 0 || digits > 10 || StringLen(name) > 64)
        {
         skipped += (skipped == "" ? "" : ", ") + name;
         continue;
        }
      reported++;
      if(symbols != "")
         symbols += ",";
      symbols += "{\"name\":" + JsonString(name) +
                 ",\"tick_size\":" + JsonNum(tickSize, 10) +
                 ",\"tick_value\":" + JsonNum(tickValue, 10) +
                 ",\"volume_min\":" + JsonNum(volumeMin, 8) +
                 ",\"volume_step\":" + JsonNum(volumeStep, 8) +
                 ",\"volume_max\":" + JsonNum(volumeMax, 8) +
                 ",\"contract_size\":" + JsonNum(contractSize, 8) +
                 ",\"digits\":" + IntegerToString(digits) + "}";
      MqlTick tick;
      if(SymbolInfoTick(name, tick) && tick.time > 0 && tick.bid > 0 && tick.ask > 0)
        {
         if(prices != "")
            prices += ",";
         prices += "{\"symbol\":" + JsonString(name) +
                   ",\"bid\":" + JsonNum(tick.bid, digits) +
                   ",\"ask\":" + JsonNum(tick.ask, digits) +
                   ",\"time\":" + JsonString(IsoUtc(ServerToUtc(tick.time))) + "}";
        }
     }
   if(skipped != "")
      LogThrottled("skipped symbols " + skipped, "not reporting symbols without a complete specification yet: " + Sub(skipped, 0, 500), 3600);
   if(count > MAX_REPORTED_SYMBOLS)
      LogThrottled("too many symbols", "Market Watch has " + IntegerToString(count) + " symbols; reporting the first " +
                   IntegerToString(MAX_REPORTED_SYMBOLS) + " (set SymbolsToReport to choose)", 3600);
   json += ",\"symbols\":[" + symbols + "]";
   json += ",\"prices\":[" + prices + "]";
   // The protocol this EA speaks: Sortie sends modify/close commands only to "1.1" terminals.
   json += ",\"protocol\":" + JsonString(SORTIE_PROTOCOL);
   // Extra fields (the contract welcomes them): who is talking, for support and logs.
   json += ",\"bridge\":{\"ea_version\":\"" + SORTIE_VERSION + "\"" +
           ",\"protocol\":" + JsonString(SORTIE_PROTOCOL) +
           ",\"transport\":" + JsonString(Transport == TRANSPORT_FILE ? "file" : "http") +
           ",\"magic\":" + IntegerToString((long)MagicNumber) +
           ",\"terminal_connected\":" + JsonBool(TerminalInfoInteger(TERMINAL_CONNECTED) != 0) +
           ",\"sent_at\":" + JsonString(IsoUtc(NowUtc())) + "}";
   json += "}";
   return json;
  }

void SendHeartbeat()
  {
   UpdateServerOffset();
   string body = BuildHeartbeatJson();
   if(Transport == TRANSPORT_FILE)
     {
      if(WriteFileAtomic(HEARTBEAT_FILE, body))
        {
         g_lastHeartbeatOk = TimeGMT();
         g_lastProblem = "";
        }
      return;
     }
   string response;
   int status = HttpRequest("POST", "/bridge/v1/heartbeat", body, HTTP_TIMEOUT_MS, response);
   if(status < 200 || status >= 300)
     {
      if(status > 0 && status != 401)
        {
         g_lastProblem = "heartbeat answered " + IntegerToString(status);
         LogThrottled("heartbeat " + IntegerToString(status), g_lastProblem + ": " + Sub(response, 0, 300));
        }
      return;
     }
   if(g_lastHeartbeatOk == 0)
      Log("connected to " + g_baseUrl + " (heartbeat accepted)");
   g_lastHeartbeatOk = TimeGMT();
   g_lastProblem = "";
   string serverTime;
   datetime serverUtc;
   if(JsonTopLevelString(response, "server_time", serverTime) && ParseIsoUtc(serverTime, serverUtc))
     {
      g_clockSkew = (long)TimeGMT() - (long)serverUtc;
      if(MathAbs((double)g_clockSkew) > 60)
         LogThrottled("clock skew", "this computer's clock is " + IntegerToString(g_clockSkew) +
                      " s off Sortie's; expiry checks use Sortie's time", 3600);
     }
  }

//| Transports                                                       |
//+------------------------------------------------------------------+
// HTTP: WebRequest blocks the EA's only thread until the answer arrives, so the long-poll wait
// is kept short (0..5 s): timer work, trade events and removing the EA are never held up for
// long, and heartbeats still go out well inside HEARTBEAT_STALE_S (30 s by default).
void PollCommands()
  {
   if(TimeGMT() < g_pollBackoffUntil)
      return;
   string response;
   string path = "/bridge/v1/commands?wait=" + IntegerToString(g_waitSeconds);
   int status = HttpRequest("GET", path, "", (g_waitSeconds + 10) * 1000, response);
   if(status < 200 || status >= 300)
     {
      g_pollFailures++;
      int backoffSeconds = 1 << (int)MathMin(g_pollFailures, 5);   // 2, 4 ... 32 s
      g_pollBackoffUntil = TimeGMT() + backoffSeconds;
      if(status > 0 && status != 401 && status != 403)
         LogThrottled("poll " + IntegerToString(status), "commands poll answered " + IntegerToString(status) + ": " + Sub(response, 0, 300));
      return;
     }
   g_pollFailures = 0;
   ProcessCommandsText(response, "GET /bridge/v1/commands");
  }

// FILE: every in/*.json is one command object (or {"commands":[...]}); Sortie writes it as
// .tmp and renames it, so a .json is always complete. Processed files are deleted; files
// that are not valid JSON are moved to bad/ and logged.
void ProcessInbox()
  {
   string names[];
   string found;
   long search = FileFindFirst(INBOX_DIR + "\\*.json", found);
   if(search == INVALID_HANDLE)
      return;
   do
     {
      if(found == "" || EndsWith(found, "\\"))
         continue;
      int k = ArraySize(names);
      ArrayResize(names, k + 1);
      names[k] = found;
     }
   while(ArraySize(names) < INBOX_BATCH && FileFindNext(search, found));
   FileFindClose(search);

   for(int i = 0; i < ArraySize(names) && !IsStopped(); i++)
     {
      string path = INBOX_DIR + "\\" + names[i];
      string text;
      if(!ReadFileText(path, text))
        {
         LogThrottled("read " + path, "cannot read " + path + " yet (error " + IntegerToString(GetLastError()) + ")");
         continue;
        }
      if(ProcessCommandsText(text, path))
        {
         if(!FileDelete(path))
            LogThrottled("delete " + path, "cannot delete " + path + " (error " + IntegerToString(GetLastError()) +
                         "); it will be read again, which is safe");
        }
      else
        {
         if(!FileMove(path, 0, BAD_DIR + "\\" + names[i], FILE_REWRITE))
            FileDelete(path);
        }
     }
  }
