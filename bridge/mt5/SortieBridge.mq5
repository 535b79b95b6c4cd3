//+------------------------------------------------------------------+
//| SortieBridge.mq5                                                 |
//| Sortie MT5 bridge, protocol 1.1 (see bridge/mt5/README.md).      |
//|                                                                  |
//| Polls Sortie for trade commands (HTTP long-poll or a drop        |
//| folder), executes each command id at most once, reports results, |
//| closed positions and account/symbol data.                        |
//| The parts live in Sortie/*.mqh (keep that folder next to this    |
//| file). All files are kept ASCII-only so MetaEditor compiles them |
//| whatever encoding it guesses; they also compile as C++ for the   |
//| tests (README: "Editing the EA so both compilers accept it").     |
//+------------------------------------------------------------------+
#property copyright   "Sortie"
#property version     "1.11"
#property description "Sortie bridge (protocol 1.1): executes Sortie trade commands exactly once, manages their positions and reports results, closed positions and account data."
#property description "HTTP transport: add the server URL under Tools > Options > Expert Advisors > Allow WebRequest for listed URL."

//--- transport selection shown as a drop-down in the EA's inputs
enum SortieTransport
  {
   TRANSPORT_HTTP = 0, // HTTP (WebRequest polling)
   TRANSPORT_FILE = 1  // FILE (drop folder MQL5/Files/sortie)
  };

input string          ServerUrl        = "http://127.0.0.1:8080"; // Sortie server URL (also add it to the WebRequest allow-list)
input string          BridgeToken      = "";                      // Bridge token (bot /link or Mini App profile)
input SortieTransport Transport        = TRANSPORT_HTTP;          // Transport
input int             PollSeconds      = 1;                       // Timer period, seconds
input int             HeartbeatSeconds = 10;                      // Heartbeat period, seconds (Sortie marks a bridge offline after 30 s)
input int             MaxRetries       = 3;                       // Retries on requote / price change / no quotes / too many requests
input string          SymbolsToReport  = "";                      // Symbols to report, comma list (empty = all in Market Watch)
input ulong           MagicNumber      = 770077;                  // Magic number put on Sortie orders
input int             LongPollSeconds  = 4;                       // HTTP long-poll wait, 0..5 s (WebRequest blocks the EA meanwhile)

#include "Sortie/Common.mqh"
#include "Sortie/Json.mqh"
#include "Sortie/Commands.mqh"
#include "Sortie/Persistence.mqh"
#include "Sortie/Transport.mqh"
#include "Sortie/Broker.mqh"
#include "Sortie/Reporting.mqh"
#include "Sortie/Execution.mqh"
#include "Sortie/Manage.mqh"

//+------------------------------------------------------------------+
//| Chart status line                                                |
//+------------------------------------------------------------------+
void UpdateChartStatus()
  {
   string state;
   if(g_lastHeartbeatOk == 0)
      state = "not connected yet";
   else
      state = "last heartbeat " + IntegerToString((long)(TimeGMT() - g_lastHeartbeatOk)) + " s ago";
   string text = "Sortie bridge " + SORTIE_VERSION + " (" + (Transport == TRANSPORT_FILE ? "file drop" : g_baseUrl) + ")\n" +
                 state + ", trading " + (TradeAllowedNow() ? "allowed" : "NOT allowed (check Algo Trading)") + "\n" +
                 "queued messages: " + IntegerToString(ArraySize(g_outbox)) +
                 ", known command ids: " + IntegerToString(ArraySize(g_records));
   if(g_lastProblem != "")
      text += "\nproblem: " + g_lastProblem;
   Comment(text);
  }

//+------------------------------------------------------------------+
//| Event handlers                                                   |
//+------------------------------------------------------------------+
int OnInit()
  {
   g_pollSeconds = (int)MathMax(1, PollSeconds);
   g_heartbeatSeconds = (int)MathMax(1, HeartbeatSeconds);
   g_maxRetries = (int)MathMax(0, MathMin(10, MaxRetries));
   g_waitSeconds = (int)MathMax(0, MathMin(5, LongPollSeconds));
   g_baseUrl = Trim(ServerUrl);
   while(EndsWith(g_baseUrl, "/"))
      g_baseUrl = Sub(g_baseUrl, 0, StringLen(g_baseUrl) - 1);

   if(Transport == TRANSPORT_HTTP)
     {
      if(StringFind(g_baseUrl, "http://") != 0 && StringFind(g_baseUrl, "https://") != 0)
        {
         Log("ServerUrl must start with http:// or https:// (got '" + ServerUrl + "')");
         return INIT_PARAMETERS_INCORRECT;
        }
      if(Trim(BridgeToken) == "")
        {
         Log("BridgeToken is empty: paste the token from the bot's /link or the Mini App profile");
         return INIT_PARAMETERS_INCORRECT;
        }
      if(MQLInfoInteger(MQL_TESTER) != 0)
         Log("WARNING: WebRequest does not work in the Strategy Tester; attach the EA to a live chart");
     }
   if(g_heartbeatSeconds >= 30)
      Log("WARNING: HeartbeatSeconds " + IntegerToString(g_heartbeatSeconds) +
          " is not below Sortie's HEARTBEAT_STALE_S (30 s by default); the bridge may show offline");

   FolderCreate(SORTIE_DIR);
   FolderCreate(INBOX_DIR);
   FolderCreate(OUTBOX_DIR);
   FolderCreate(BAD_DIR);
   UpdateServerOffset();
   LoadExecuted();
   LoadOutbox();

   if(!EventSetTimer(g_pollSeconds))
     {
      Log("cannot start the timer (error " + IntegerToString(GetLastError()) + ")");
      return INIT_FAILED;
     }
   g_nextHeartbeat = 0;
   g_nextClosedScan = 0;
   Log("Sortie bridge " + SORTIE_VERSION + " started: transport " + (Transport == TRANSPORT_FILE ? "FILE (MQL5/Files/sortie)" : "HTTP " + g_baseUrl) +
       ", account " + IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN)) + " on " + AccountInfoString(ACCOUNT_SERVER) +
       ", magic " + IntegerToString((long)MagicNumber) + ", poll wait " + IntegerToString(g_waitSeconds) + " s");
   if(Transport == TRANSPORT_HTTP)
      Log("if the journal shows error 4014, add " + g_baseUrl + " under Tools > Options > Expert Advisors > Allow WebRequest for listed URL");
   UpdateChartStatus();
   return INIT_SUCCEEDED;
  }

void OnDeinit(const int reason)
  {
   EventKillTimer();
   SaveOutbox();
   Comment("");
   Log("Sortie bridge stopped (reason " + IntegerToString(reason) + ")");
  }

void OnTimer()
  {
   datetime now = TimeGMT();
   if(now >= g_nextHeartbeat)
     {
      SendHeartbeat();
      g_nextHeartbeat = TimeGMT() + g_heartbeatSeconds;
     }
   if(Transport == TRANSPORT_FILE)
      ProcessInbox();
   FlushOutbox();
   if(now >= g_nextClosedScan)
     {
      ScanClosedPositions();
      g_nextClosedScan = TimeGMT() + CLOSED_SCAN_SECONDS;
      FlushOutbox();
     }
   if(Transport == TRANSPORT_HTTP && !IsStopped())
     {
      PollCommands();
      FlushOutbox();   // send results of what the poll just executed without waiting a tick
     }
   UpdateChartStatus();
  }

void OnTradeTransaction(const MqlTradeTransaction &trans, const MqlTradeRequest &request, const MqlTradeResult &result)
  {
   if(trans.type != TRADE_TRANSACTION_DEAL_ADD || trans.deal == 0)
      return;
   if(!HistoryDealSelect(trans.deal))
      return;
   long entry = HistoryDealGetInteger(trans.deal, DEAL_ENTRY);
   if(entry != DEAL_ENTRY_OUT && entry != DEAL_ENTRY_OUT_BY && entry != DEAL_ENTRY_INOUT)
      return;
   ulong positionId = (ulong)HistoryDealGetInteger(trans.deal, DEAL_POSITION_ID);
   ulong magic = (ulong)HistoryDealGetInteger(trans.deal, DEAL_MAGIC);
   bool known = false;
   for(int i = 0; i < ArraySize(g_records); i++)
     {
      if(g_records[i].ticket != positionId || g_records[i].status != "filled" || g_records[i].kind != "open")
         continue;
      known = true;
      if(!g_records[i].closed)
         CheckRecordClosed(i);
     }
   if(!known && magic == MagicNumber)
      AdoptPositionByComment(positionId);
   // The closed message is sent by the next timer tick (never block inside a trade event).
  }
//+------------------------------------------------------------------+
