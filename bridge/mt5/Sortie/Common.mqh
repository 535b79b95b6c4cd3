//+------------------------------------------------------------------+
//| Sortie/Common.mqh                                                |
//| Constants, data, logging, strings and time shared by every part. |
//+------------------------------------------------------------------+
// Paths are relative to MQL5/Files. They are string constants rather than #defines so that
// every concatenation has a string operand (never literal + literal).
const string SORTIE_VERSION = "1.1.0";
const string SORTIE_PROTOCOL = "1.1";   // modify and close after entry (contract 1.1)
const string SORTIE_DIR     = "sortie";
const string INBOX_DIR      = "sortie\\in";
const string OUTBOX_DIR     = "sortie\\out";
const string BAD_DIR        = "sortie\\bad";
const string EXECUTED_FILE  = "sortie\\executed.txt";
const string OUTBOX_FILE    = "sortie\\outbox.txt";
const string HEARTBEAT_FILE = "sortie\\heartbeat.json";

// MT5 keeps at most 31 characters of an order comment (brokers may keep fewer, see README).
#define COMMENT_MAX_CHARS        31
// Commands expire within hours, so 90 days of history is ample to find an earlier execution.
#define HISTORY_LOOKBACK_DAYS    90
// A result or closed message the server has refused for a week is dropped (logged).
#define OUTBOX_MAX_AGE_DAYS      7
#define OUTBOX_BATCH             10
#define INBOX_BATCH              20
#define CLOSED_SCAN_SECONDS      15
#define JSON_MAX_DEPTH           32
#define HTTP_TIMEOUT_MS          8000
// Sortie accepts at most 2000 symbols (and prices) per heartbeat.
#define MAX_REPORTED_SYMBOLS     2000

//--- JSON value kinds returned by the reader
#define JK_NONE    0
#define JK_STRING  1
#define JK_NUMBER  2
#define JK_TRUE    3
#define JK_FALSE   4
#define JK_NULL    5
#define JK_OBJECT  6
#define JK_ARRAY   7

//+------------------------------------------------------------------+
//| Data                                                             |
//+------------------------------------------------------------------+
// One command as sent by Sortie: open, or (protocol 1.1) modify / close (GET /bridge/v1/commands or in/<id>.json).
struct SortieCommand
  {
   string            id;
   string            fire_id;
   string            leg;
   string            action;
   string            symbol;
   string            side;
   double            volume;
   double            entry;
   double            max_entry_distance;
   double            stop_loss;
   double            take_profit;
   string            position_of;   // modify / close: the id of the open command
   bool              has_stop_loss;
   bool              has_take_profit;
   string            expires_text;
   double            expires_number;
   int               expires_kind;
   string            comment;
   bool              has_volume;
   bool              has_entry;
   bool              has_max_distance;
   bool              has_expiry;
   string            problem;   // first field-level problem met while reading, "" if none
  };

// What the EA knows about one command id. Persisted in sortie/executed.txt.
struct ExecRecord
  {
   string            id;
   string            status;    // sending | filled | rejected | failed
   uint              retcode;
   ulong             ticket;    // position identifier, 0 when nothing was opened
   double            price;
   double            volume;
   string            symbol;
   string            message;
   datetime          updated;   // UTC
   bool              closed;    // closed message already queued
   double            closed_volume;   // the volume and profit that closed message reported
   double            closed_profit;
   string            kind;      // open | manage (modify/close: no position of its own to report)
  };

// A result or closed message waiting for the server's 2xx (or for a file write).
struct OutboxItem
  {
   string            kind;      // result | closed
   string            id;
   string            body;      // JSON body as sent over HTTP
   datetime          created;   // UTC
   datetime          next_try;
   int               attempts;
  };

ExecRecord g_records[];
OutboxItem g_outbox[];

string   g_baseUrl          = "";
int      g_pollSeconds      = 1;
int      g_heartbeatSeconds = 10;
int      g_maxRetries       = 3;
int      g_waitSeconds      = 4;
datetime g_nextHeartbeat    = 0;
datetime g_nextClosedScan   = 0;
ulong    g_lastDeal         = 0;   // the deal of the last order filled (FillFromResult)
datetime g_pollBackoffUntil = 0;
int      g_pollFailures     = 0;
long     g_serverOffset     = 0;   // broker server time minus UTC, seconds
long     g_clockSkew        = 0;   // this computer's UTC minus Sortie's server_time, seconds
datetime g_lastHeartbeatOk  = 0;
string   g_lastProblem      = "";

string   g_throttleKeys[];
datetime g_throttleTimes[];

//+------------------------------------------------------------------+
//| Logging                                                          |
//+------------------------------------------------------------------+
void Log(const string message)
  {
   Print("[Sortie] ", message);
  }

// Prints a message at most once per `everySeconds` for a given key, so a server that is down
// does not flood the Experts journal once a second.
void LogThrottled(const string key, const string message, const int everySeconds = 60)
  {
   datetime now = TimeLocal();
   int n = ArraySize(g_throttleKeys);
   for(int i = 0; i < n; i++)
     {
      if(g_throttleKeys[i] != key)
         continue;
      if(now - g_throttleTimes[i] < everySeconds)
         return;
      g_throttleTimes[i] = now;
      Log(message);
      return;
     }
   ArrayResize(g_throttleKeys, n + 1);
   ArrayResize(g_throttleTimes, n + 1);
   g_throttleKeys[n] = key;
   g_throttleTimes[n] = now;
   Log(message);
  }

//+------------------------------------------------------------------+
//| Small string helpers                                             |
//+------------------------------------------------------------------+
// StringSubstr with a guard: a zero or negative length always gives "".
string Sub(const string text, const int start, const int length)
  {
   if(length <= 0 || start < 0 || start >= StringLen(text))
      return "";
   return StringSubstr(text, start, length);
  }

string Trim(const string text)
  {
   string s = text;
   StringTrimLeft(s);
   StringTrimRight(s);
   return s;
  }

bool IsDigitChar(const ushort c)
  {
   return c >= '0' && c <= '9';
  }

// Replaces tabs and line breaks so a value fits one tab-separated line of a state file.
string OneLine(const string text)
  {
   string s = text;
   StringReplace(s, "\t", " ");
   StringReplace(s, "\r", " ");
   StringReplace(s, "\n", " ");
   return s;
  }

bool EndsWith(const string text, const string suffix)
  {
   int n = StringLen(text);
   int m = StringLen(suffix);
   return n >= m && Sub(text, n - m, m) == suffix;
  }

//| Time                                                             |
//+------------------------------------------------------------------+
// UTC as Sortie sees it: this computer's UTC clock corrected by the skew measured from the
// heartbeat answer's server_time, so expiry follows Sortie's clock, not a drifting PC clock.
datetime NowUtc()
  {
   return (datetime)((long)TimeGMT() - g_clockSkew);
  }

string IsoUtc(const datetime t)
  {
   MqlDateTime d;
   TimeToStruct(t, d);
   return StringFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.mon, d.day, d.hour, d.min, d.sec);
  }

// Deal and tick times are in the broker's server time zone; the offset is re-measured on every
// heartbeat (rounded to 15 minutes, the granularity of real time zones).
void UpdateServerOffset()
  {
   long diff = (long)TimeTradeServer() - (long)TimeGMT();
   g_serverOffset = (long)MathRound(diff / 900.0) * 900;
  }

datetime ServerToUtc(const datetime serverTime)
  {
   return (datetime)((long)serverTime - g_serverOffset);
  }

bool ReadDigits(const string s, const int pos, const int count, int &value)
  {
   value = 0;
   if(pos < 0 || pos + count > StringLen(s))
      return false;
   for(int i = 0; i < count; i++)
     {
      ushort c = StringGetCharacter(s, pos + i);
      if(!IsDigitChar(c))
         return false;
      value = value * 10 + (c - '0');
     }
   return true;
  }

// ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]" -> UTC datetime. No zone = UTC.
bool ParseIsoUtc(const string text, datetime &out)
  {
   string s = Trim(text);
   int len = StringLen(s);
   int year, mon, day, hour, minute, second;
   if(len < 19)
      return false;
   if(!ReadDigits(s, 0, 4, year) || StringGetCharacter(s, 4) != '-' ||
      !ReadDigits(s, 5, 2, mon) || StringGetCharacter(s, 7) != '-' ||
      !ReadDigits(s, 8, 2, day))
      return false;
   ushort sep = StringGetCharacter(s, 10);
   if(sep != 'T' && sep != 't' && sep != ' ')
      return false;
   if(!ReadDigits(s, 11, 2, hour) || StringGetCharacter(s, 13) != ':' ||
      !ReadDigits(s, 14, 2, minute) || StringGetCharacter(s, 16) != ':' ||
      !ReadDigits(s, 17, 2, second))
      return false;
   int pos = 19;
   if(pos < len && StringGetCharacter(s, pos) == '.')
     {
      pos++;
      while(pos < len && IsDigitChar(StringGetCharacter(s, pos)))
         pos++;   // sub-second precision is not needed
     }
   long offset = 0;
   if(pos < len)
     {
      ushort zone = StringGetCharacter(s, pos);
      if(zone == 'Z' || zone == 'z')
         pos++;
      else
         if(zone == '+' || zone == '-')
           {
            int offHours, offMinutes;
            if(!ReadDigits(s, pos + 1, 2, offHours))
               return false;
            int p = pos + 3;
            if(p < len && StringGetCharacter(s, p) == ':')
               p++;
            if(!ReadDigits(s, p, 2, offMinutes))
               return false;
            offset = (long)(offHours * 3600 + offMinutes * 60) * (zone == '+' ? 1 : -1);
            pos = p + 2;
           }
     }
   if(pos != len)
      return false;
   if(mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
      return false;
   MqlDateTime d;
   ZeroMemory(d);
   d.year = year;
   d.mon = mon;
   d.day = day;
   d.hour = hour;
   d.min = minute;
   d.sec = second;
   out = (datetime)((long)StructToTime(d) - offset);
   return true;
  }

// expires_at as UTC: an ISO-8601 string, or a number of Unix seconds (milliseconds if huge).
bool CommandExpiry(const SortieCommand &cmd, datetime &expiresUtc)
  {
   if(cmd.expires_kind == JK_NUMBER)
     {
      double seconds = cmd.expires_number;
      if(seconds > 100000000000.0)
         seconds /= 1000.0;
      if(seconds <= 0)
         return false;
      expiresUtc = (datetime)(long)seconds;
      return true;
     }
   return ParseIsoUtc(cmd.expires_text, expiresUtc);
  }
