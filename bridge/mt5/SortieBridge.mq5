//+------------------------------------------------------------------+
//| SortieBridge.mq5                                                 |
//| Sortie MT5 bridge, protocol v1 (see bridge/mt5/README.md).        |
//|                                                                  |
//| Polls Sortie for trade commands (HTTP long-poll or a drop        |
//| folder), executes each command id at most once, reports results, |
//| closed positions and account/symbol data.                        |
//| This file is kept ASCII-only so MetaEditor compiles it whatever  |
//| encoding it guesses.                                             |
//+------------------------------------------------------------------+
#property copyright   "Sortie"
#property version     "1.00"
#property description "Sortie bridge (protocol v1): executes Sortie trade commands exactly once and reports results, closed positions and account data."
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

// Paths are relative to MQL5/Files. They are string constants rather than #defines so that
// every concatenation has a string operand (never literal + literal).
const string SORTIE_VERSION = "1.0.0";
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
// One "open" command as sent by Sortie (GET /bridge/v1/commands or in/<id>.json).
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
datetime g_pollBackoffUntil = 0;
int      g_pollFailures     = 0;
long     g_serverOffset     = 0;   // broker server time minus UTC, seconds
long     g_clockSkew        = 0;   // this computer's UTC minus Sortie's server_time, seconds
datetime g_lastHeartbeatOk  = 0;
string   g_lastProblem      = "";
bool     g_inTimer          = false;

string   g_throttleKeys[];
datetime g_throttleTimes[];

//--- JSON reader state (one document at a time; MQL5 is single-threaded per EA)
string g_json = "";
int    g_jpos = 0;
int    g_jlen = 0;
string g_jerr = "";

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

//+------------------------------------------------------------------+
//| JSON writing                                                     |
//+------------------------------------------------------------------+
string JsonString(const string text)
  {
   string out = "\"";
   int n = StringLen(text);
   for(int i = 0; i < n; i++)
     {
      ushort c = StringGetCharacter(text, i);
      switch(c)
        {
         case '"':
            out += "\\\"";
            break;
         case '\\':
            out += "\\\\";
            break;
         case '\n':
            out += "\\n";
            break;
         case '\r':
            out += "\\r";
            break;
         case '\t':
            out += "\\t";
            break;
         default:
            if(c < 0x20)
               out += StringFormat("\\u%04X", (int)c);
            else
               out += ShortToString(c);
        }
     }
   return out + "\"";
  }

// A JSON number with at most `digits` decimals and no trailing zeros; NaN/inf become null.
string JsonNum(const double value, const int digits)
  {
   if(!MathIsValidNumber(value))
      return "null";
   string s = DoubleToString(value, digits);
   if(StringFind(s, ".") >= 0)
     {
      int n = StringLen(s);
      while(n > 0 && StringGetCharacter(s, n - 1) == '0')
         n--;
      if(n > 0 && StringGetCharacter(s, n - 1) == '.')
         n--;
      s = Sub(s, 0, n);
     }
   if(s == "-0" || s == "")
      s = "0";
   return s;
  }

string JsonBool(const bool value)
  {
   return value ? "true" : "false";
  }

//+------------------------------------------------------------------+
//| JSON reading: a small recursive-descent reader. It understands   |
//| all of JSON (escapes, \u, exponents, nesting) but only keeps the |
//| flat command fields; anything else is skipped.                   |
//+------------------------------------------------------------------+
void JsonBegin(const string text)
  {
   g_json = text;
   g_jpos = 0;
   g_jlen = StringLen(text);
   g_jerr = "";
   if(g_jlen > 0 && StringGetCharacter(g_json, 0) == 0xFEFF)
      g_jpos = 1;   // byte-order mark written by some editors
  }

bool JsonFail(const string why)
  {
   if(g_jerr == "")
      g_jerr = why + " at character " + IntegerToString(g_jpos);
   return false;
  }

ushort JsonPeek()
  {
   if(g_jpos < g_jlen)
      return StringGetCharacter(g_json, g_jpos);
   return 0;
  }

void JsonSkipWs()
  {
   while(g_jpos < g_jlen)
     {
      ushort c = StringGetCharacter(g_json, g_jpos);
      if(c == ' ' || c == '\t' || c == '\n' || c == '\r')
         g_jpos++;
      else
         break;
     }
  }

bool JsonExpect(const ushort expected)
  {
   JsonSkipWs();
   if(JsonPeek() != expected)
      return JsonFail("expected '" + ShortToString(expected) + "'");
   g_jpos++;
   return true;
  }

int HexDigit(const ushort c)
  {
   if(c >= '0' && c <= '9')
      return c - '0';
   if(c >= 'a' && c <= 'f')
      return c - 'a' + 10;
   if(c >= 'A' && c <= 'F')
      return c - 'A' + 10;
   return -1;
  }

bool JsonReadString(string &out)
  {
   out = "";
   JsonSkipWs();
   if(JsonPeek() != '"')
      return JsonFail("expected a string");
   g_jpos++;
   int runStart = g_jpos;
   while(g_jpos < g_jlen)
     {
      ushort c = StringGetCharacter(g_json, g_jpos);
      if(c == '"')
        {
         out += Sub(g_json, runStart, g_jpos - runStart);
         g_jpos++;
         return true;
        }
      if(c != '\\')
        {
         g_jpos++;
         continue;
        }
      out += Sub(g_json, runStart, g_jpos - runStart);
      g_jpos++;
      if(g_jpos >= g_jlen)
         break;
      ushort e = StringGetCharacter(g_json, g_jpos);
      g_jpos++;
      switch(e)
        {
         case '"':
            out += "\"";
            break;
         case '\\':
            out += "\\";
            break;
         case '/':
            out += "/";
            break;
         case 'b':
            out += ShortToString(8);
            break;
         case 'f':
            out += ShortToString(12);
            break;
         case 'n':
            out += "\n";
            break;
         case 'r':
            out += "\r";
            break;
         case 't':
            out += "\t";
            break;
         case 'u':
           {
            if(g_jpos + 4 > g_jlen)
               return JsonFail("short \\u escape");
            int code = 0;
            for(int k = 0; k < 4; k++)
              {
               int h = HexDigit(StringGetCharacter(g_json, g_jpos + k));
               if(h < 0)
                  return JsonFail("bad \\u escape");
               code = code * 16 + h;
              }
            g_jpos += 4;
            // MQL5 strings are UTF-16, so a surrogate pair sent as two \u escapes is
            // rebuilt by appending both code units in order.
            out += ShortToString((ushort)code);
            break;
           }
         default:
            return JsonFail("bad escape");
        }
      runStart = g_jpos;
     }
   return JsonFail("unterminated string");
  }

// JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// The mantissa goes through StringToDouble and the exponent is applied separately, so "1.5e-3"
// does not depend on how StringToDouble treats exponents.
bool JsonReadNumber(double &value)
  {
   value = 0;
   JsonSkipWs();
   int start = g_jpos;
   if(JsonPeek() == '-')
      g_jpos++;
   int intStart = g_jpos;
   while(g_jpos < g_jlen && IsDigitChar(JsonPeek()))
      g_jpos++;
   if(g_jpos == intStart)
      return JsonFail("bad number");
   if(JsonPeek() == '.')
     {
      g_jpos++;
      int fracStart = g_jpos;
      while(g_jpos < g_jlen && IsDigitChar(JsonPeek()))
         g_jpos++;
      if(g_jpos == fracStart)
         return JsonFail("bad number fraction");
     }
   int mantissaEnd = g_jpos;
   int exponent = 0;
   if(JsonPeek() == 'e' || JsonPeek() == 'E')
     {
      g_jpos++;
      int sign = 1;
      if(JsonPeek() == '+')
         g_jpos++;
      else
         if(JsonPeek() == '-')
           {
            sign = -1;
            g_jpos++;
           }
      int expStart = g_jpos;
      while(g_jpos < g_jlen && IsDigitChar(JsonPeek()))
        {
         if(exponent < 10000)
            exponent = exponent * 10 + (JsonPeek() - '0');
         g_jpos++;
        }
      if(g_jpos == expStart)
         return JsonFail("bad number exponent");
      exponent *= sign;
     }
   value = StringToDouble(Sub(g_json, start, mantissaEnd - start));
   if(exponent != 0)
      value *= MathPow(10.0, exponent);
   if(!MathIsValidNumber(value))
      return JsonFail("number out of range");
   return true;
  }

bool JsonReadWord(const string word)
  {
   int n = StringLen(word);
   if(g_jpos + n > g_jlen || Sub(g_json, g_jpos, n) != word)
      return JsonFail("unexpected token");
   g_jpos += n;
   return true;
  }

bool JsonSkipValue(const int depth)
  {
   if(depth > JSON_MAX_DEPTH)
      return JsonFail("nesting too deep");
   JsonSkipWs();
   ushort c = JsonPeek();
   if(c == '"')
     {
      string ignored;
      return JsonReadString(ignored);
     }
   if(c == '{')
     {
      g_jpos++;
      JsonSkipWs();
      if(JsonPeek() == '}')
        {
         g_jpos++;
         return true;
        }
      while(g_jpos < g_jlen)
        {
         string key;
         if(!JsonReadString(key) || !JsonExpect(':') || !JsonSkipValue(depth + 1))
            return false;
         JsonSkipWs();
         if(JsonPeek() == ',')
           {
            g_jpos++;
            continue;
           }
         if(JsonPeek() == '}')
           {
            g_jpos++;
            return true;
           }
         return JsonFail("expected ',' or '}'");
        }
      return JsonFail("unterminated object");
     }
   if(c == '[')
     {
      g_jpos++;
      JsonSkipWs();
      if(JsonPeek() == ']')
        {
         g_jpos++;
         return true;
        }
      while(g_jpos < g_jlen)
        {
         if(!JsonSkipValue(depth + 1))
            return false;
         JsonSkipWs();
         if(JsonPeek() == ',')
           {
            g_jpos++;
            continue;
           }
         if(JsonPeek() == ']')
           {
            g_jpos++;
            return true;
           }
         return JsonFail("expected ',' or ']'");
        }
      return JsonFail("unterminated array");
     }
   if(c == 't')
      return JsonReadWord("true");
   if(c == 'f')
      return JsonReadWord("false");
   if(c == 'n')
      return JsonReadWord("null");
   double ignoredNumber;
   return JsonReadNumber(ignoredNumber);
  }

// Reads one value. Scalars come back in text (raw text for numbers) and number;
// objects and arrays are skipped and only their kind is reported.
bool JsonReadScalar(int &kind, string &text, double &number, const int depth)
  {
   kind = JK_NONE;
   text = "";
   number = 0;
   JsonSkipWs();
   ushort c = JsonPeek();
   if(c == '"')
     {
      kind = JK_STRING;
      return JsonReadString(text);
     }
   if(c == '{')
     {
      kind = JK_OBJECT;
      return JsonSkipValue(depth);
     }
   if(c == '[')
     {
      kind = JK_ARRAY;
      return JsonSkipValue(depth);
     }
   if(c == 't')
     {
      kind = JK_TRUE;
      text = "true";
      return JsonReadWord("true");
     }
   if(c == 'f')
     {
      kind = JK_FALSE;
      text = "false";
      return JsonReadWord("false");
     }
   if(c == 'n')
     {
      kind = JK_NULL;
      return JsonReadWord("null");
     }
   kind = JK_NUMBER;
   int start = g_jpos;
   if(!JsonReadNumber(number))
      return false;
   text = Sub(g_json, start, g_jpos - start);
   return true;
  }

// Parses a whole string as one JSON number ("0.10", "1e-5"); used for numbers sent as strings.
bool TextToNumber(const string text, double &value)
  {
   string savedJson = g_json;
   int savedPos = g_jpos;
   int savedLen = g_jlen;
   string savedErr = g_jerr;
   JsonBegin(text);
   bool ok = JsonReadNumber(value);
   if(ok)
     {
      JsonSkipWs();
      ok = (g_jpos == g_jlen);
     }
   g_json = savedJson;
   g_jpos = savedPos;
   g_jlen = savedLen;
   g_jerr = savedErr;
   return ok;
  }

// Finds a top-level string field, e.g. server_time in the heartbeat answer.
bool JsonTopLevelString(const string text, const string wanted, string &out)
  {
   out = "";
   JsonBegin(text);
   if(!JsonExpect('{'))
      return false;
   JsonSkipWs();
   if(JsonPeek() == '}')
      return false;
   while(g_jpos < g_jlen)
     {
      string key;
      if(!JsonReadString(key) || !JsonExpect(':'))
         return false;
      JsonSkipWs();
      if(key == wanted && JsonPeek() == '"')
         return JsonReadString(out);
      if(!JsonSkipValue(1))
         return false;
      JsonSkipWs();
      if(JsonPeek() == ',')
        {
         g_jpos++;
         continue;
        }
      return false;
     }
   return false;
  }

//+------------------------------------------------------------------+
//| Commands: JSON -> SortieCommand                                  |
//+------------------------------------------------------------------+
void ResetCommand(SortieCommand &c)
  {
   c.id = "";
   c.fire_id = "";
   c.leg = "";
   c.action = "";
   c.symbol = "";
   c.side = "";
   c.volume = 0;
   c.entry = 0;
   c.max_entry_distance = 0;
   c.stop_loss = 0;
   c.take_profit = 0;
   c.expires_text = "";
   c.expires_number = 0;
   c.expires_kind = JK_NONE;
   c.comment = "";
   c.has_volume = false;
   c.has_entry = false;
   c.has_max_distance = false;
   c.has_expiry = false;
   c.problem = "";
  }

void NoteProblem(SortieCommand &c, const string problem)
  {
   if(c.problem == "")
      c.problem = problem;
  }

string ScalarText(const int kind, const string text)
  {
   if(kind == JK_STRING || kind == JK_NUMBER || kind == JK_TRUE || kind == JK_FALSE)
      return text;
   return "";
  }

// 1 = a number (JSON number or numeric string), 0 = null / empty, -1 = not a number.
int NumberFromValue(const int kind, const string text, const double number, double &value)
  {
   value = 0;
   if(kind == JK_NUMBER)
     {
      value = number;
      return 1;
     }
   if(kind == JK_NULL)
      return 0;
   if(kind == JK_STRING)
     {
      string t = Trim(text);
      if(t == "")
         return 0;
      if(TextToNumber(t, value))
         return 1;
     }
   return -1;
  }

// Stores one field into the command. Returns true when the key is a command field.
bool AssignCommandField(SortieCommand &c, const string key, const int kind, const string text, const double number)
  {
   if(key == "id")
     {
      c.id = ScalarText(kind, text);
      return true;
     }
   if(key == "fire_id")
     {
      c.fire_id = ScalarText(kind, text);
      return true;
     }
   if(key == "leg")
     {
      c.leg = ScalarText(kind, text);
      return true;
     }
   if(key == "action")
     {
      c.action = ScalarText(kind, text);
      return true;
     }
   if(key == "symbol")
     {
      c.symbol = ScalarText(kind, text);
      return true;
     }
   if(key == "side")
     {
      c.side = ScalarText(kind, text);
      return true;
     }
   if(key == "comment")
     {
      c.comment = ScalarText(kind, text);
      return true;
     }
   if(key == "expires_at")
     {
      c.expires_kind = kind;
      if(kind == JK_STRING && Trim(text) != "")
        {
         c.expires_text = text;
         c.has_expiry = true;
        }
      else
         if(kind == JK_NUMBER)
           {
            c.expires_number = number;
            c.has_expiry = true;
           }
         else
            if(kind != JK_NULL && kind != JK_STRING)
               NoteProblem(c, "expires_at is not a time");
      return true;
     }
   if(key == "volume" || key == "entry" || key == "max_entry_distance" || key == "stop_loss" || key == "take_profit")
     {
      double value;
      int got = NumberFromValue(kind, text, number, value);
      if(got < 0)
        {
         NoteProblem(c, key + " is not a number");
         return true;
        }
      if(got == 0)
         return true;   // null: not given
      if(key == "volume")
        {
         c.volume = value;
         c.has_volume = true;
        }
      else
         if(key == "entry")
           {
            c.entry = value;
            c.has_entry = true;
           }
         else
            if(key == "max_entry_distance")
              {
               c.max_entry_distance = value;
               c.has_max_distance = true;
              }
            else
               if(key == "stop_loss")
                  c.stop_loss = value;
               else
                  c.take_profit = value;
      return true;
     }
   return false;
  }

void AppendCommand(SortieCommand &cmds[], SortieCommand &c)
  {
   int n = ArraySize(cmds);
   ArrayResize(cmds, n + 1);
   cmds[n] = c;
  }

bool JsonReadCommandArray(SortieCommand &cmds[], const int depth)
  {
   if(depth > JSON_MAX_DEPTH)
      return JsonFail("nesting too deep");
   if(!JsonExpect('['))
      return false;
   JsonSkipWs();
   if(JsonPeek() == ']')
     {
      g_jpos++;
      return true;
     }
   while(g_jpos < g_jlen)
     {
      JsonSkipWs();
      if(JsonPeek() == '{')
        {
         if(!JsonReadCommandObject(cmds, depth + 1))
            return false;
        }
      else
         if(!JsonSkipValue(depth + 1))
            return false;
      JsonSkipWs();
      if(JsonPeek() == ',')
        {
         g_jpos++;
         continue;
        }
      if(JsonPeek() == ']')
        {
         g_jpos++;
         return true;
        }
      return JsonFail("expected ',' or ']'");
     }
   return JsonFail("unterminated array");
  }

// Reads an object. A "commands" array inside it is read recursively; an object that has
// command fields itself is appended as one command. This accepts both the HTTP answer
// {"commands":[...]} and a file-drop body that is a single command object.
bool JsonReadCommandObject(SortieCommand &cmds[], const int depth)
  {
   if(depth > JSON_MAX_DEPTH)
      return JsonFail("nesting too deep");
   if(!JsonExpect('{'))
      return false;
   SortieCommand c;
   ResetCommand(c);
   bool isCommand = false;
   JsonSkipWs();
   if(JsonPeek() == '}')
     {
      g_jpos++;
      return true;
     }
   while(true)
     {
      if(g_jpos >= g_jlen)
         return JsonFail("unterminated object");
      string key;
      if(!JsonReadString(key) || !JsonExpect(':'))
         return false;
      JsonSkipWs();
      if(key == "commands" && JsonPeek() == '[')
        {
         if(!JsonReadCommandArray(cmds, depth + 1))
            return false;
        }
      else
        {
         int kind;
         string text;
         double number;
         if(!JsonReadScalar(kind, text, number, depth + 1))
            return false;
         if(AssignCommandField(c, key, kind, text, number))
            isCommand = true;
        }
      JsonSkipWs();
      ushort next = JsonPeek();
      if(next == ',')
        {
         g_jpos++;
         continue;
        }
      if(next == '}')
        {
         g_jpos++;
         break;
        }
      return JsonFail("expected ',' or '}'");
     }
   if(isCommand)
      AppendCommand(cmds, c);
   return true;
  }

// Parses a commands document; false (with g_jerr set) when it is not valid JSON.
bool ParseCommandsText(const string text, SortieCommand &cmds[])
  {
   ArrayResize(cmds, 0);
   JsonBegin(text);
   JsonSkipWs();
   if(g_jpos >= g_jlen)
      return true;   // an empty body means no commands
   bool ok;
   if(JsonPeek() == '[')
      ok = JsonReadCommandArray(cmds, 1);
   else
      ok = JsonReadCommandObject(cmds, 1);
   if(!ok)
      return false;
   JsonSkipWs();
   if(g_jpos < g_jlen)
      return JsonFail("unexpected text after the JSON document");
   return true;
  }

//+------------------------------------------------------------------+
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

//+------------------------------------------------------------------+
//| Files (all under MQL5/Files, the terminal's sandbox)             |
//+------------------------------------------------------------------+
bool ReadFileText(const string path, string &out)
  {
   out = "";
   int h = FileOpen(path, FILE_READ | FILE_BIN | FILE_SHARE_READ | FILE_SHARE_WRITE);
   if(h == INVALID_HANDLE)
      return false;
   int size = (int)FileSize(h);
   if(size > 0)
     {
      uchar bytes[];
      ArrayResize(bytes, size);
      uint got = FileReadArray(h, bytes, 0, size);
      if((int)got > 0)
         out = CharArrayToString(bytes, 0, (int)got, CP_UTF8);
     }
   FileClose(h);
   if(StringLen(out) > 0 && StringGetCharacter(out, 0) == 0xFEFF)
      out = Sub(out, 1, StringLen(out) - 1);
   return true;
  }

int Utf8Bytes(const string text, uchar &bytes[])
  {
   int n = StringToCharArray(text, bytes, 0, WHOLE_ARRAY, CP_UTF8);
   if(n > 0 && bytes[n - 1] == 0)
      n--;   // StringToCharArray appends the terminating zero
   ArrayResize(bytes, n);
   return n;
  }

// Writes <name>.tmp and renames it over <name>.json (or <path>.tmp over <path>), so a reader
// never sees half a file: the rename is atomic on the same volume.
bool WriteFileAtomic(const string path, const string content)
  {
   string tmp = EndsWith(path, ".json") ? Sub(path, 0, StringLen(path) - 5) + ".tmp" : path + ".tmp";
   uchar bytes[];
   int n = Utf8Bytes(content, bytes);
   ResetLastError();
   int h = FileOpen(tmp, FILE_WRITE | FILE_BIN);
   if(h == INVALID_HANDLE)
     {
      LogThrottled("open " + tmp, "cannot write " + tmp + " (error " + IntegerToString(GetLastError()) + ")");
      return false;
     }
   uint written = 0;
   if(n > 0)
      written = FileWriteArray(h, bytes, 0, n);
   FileFlush(h);
   FileClose(h);
   if((int)written != n)
     {
      LogThrottled("write " + tmp, "short write to " + tmp);
      return false;
     }
   ResetLastError();
   if(!FileMove(tmp, 0, path, FILE_REWRITE))
     {
      LogThrottled("move " + path, "cannot rename " + tmp + " to " + path + " (error " + IntegerToString(GetLastError()) + ")");
      return false;
     }
   return true;
  }

// Appends one line and flushes it to disk before returning.
bool AppendLine(const string path, const string line)
  {
   uchar bytes[];
   int n = Utf8Bytes(line + "\r\n", bytes);
   ResetLastError();
   int h = FileOpen(path, FILE_READ | FILE_WRITE | FILE_BIN | FILE_SHARE_READ);
   if(h == INVALID_HANDLE)
     {
      Log("cannot open " + path + " (error " + IntegerToString(GetLastError()) + ")");
      return false;
     }
   FileSeek(h, 0, SEEK_END);
   uint written = FileWriteArray(h, bytes, 0, n);
   FileFlush(h);
   FileClose(h);
   if((int)written != n)
     {
      Log("short write to " + path);
      return false;
     }
   return true;
  }

int SplitLines(const string text, string &lines[])
  {
   int n = StringSplit(text, '\n', lines);
   for(int i = 0; i < n; i++)
      StringReplace(lines[i], "\r", "");
   return n;
  }

//+------------------------------------------------------------------+
//| Executed-ids store (exactly-once)                                |
//| sortie/executed.txt, append-only, one event per line:            |
//|   R <id> <status> <retcode> <ticket> <price> <volume> <symbol>   |
//|     <unix utc> <message>           (tab separated)               |
//|   C <id> <unix utc>                (closed message queued)       |
//| The last R line of an id wins.                                   |
//+------------------------------------------------------------------+
int FindRecord(const string id)
  {
   for(int i = ArraySize(g_records) - 1; i >= 0; i--)
      if(g_records[i].id == id)
         return i;
   return -1;
  }

void InitRecord(ExecRecord &r, const string id, const string symbol)
  {
   r.id = id;
   r.status = "";
   r.retcode = 0;
   r.ticket = 0;
   r.price = 0;
   r.volume = 0;
   r.symbol = symbol;
   r.message = "";
   r.updated = NowUtc();
   r.closed = false;
  }

void SetOutcome(ExecRecord &r, const string status, const uint retcode, const string message)
  {
   r.status = status;
   r.retcode = retcode;
   r.message = message;
   r.updated = NowUtc();
  }

void PutRecordInMemory(ExecRecord &r)
  {
   int idx = FindRecord(r.id);
   if(idx < 0)
     {
      idx = ArraySize(g_records);
      ArrayResize(g_records, idx + 1);
     }
   g_records[idx] = r;
  }

string RecordLine(const ExecRecord &r)
  {
   return "R\t" + r.id + "\t" + r.status + "\t" + IntegerToString(r.retcode) + "\t" +
          IntegerToString((long)r.ticket) + "\t" + DoubleToString(r.price, 8) + "\t" +
          DoubleToString(r.volume, 8) + "\t" + OneLine(r.symbol) + "\t" +
          IntegerToString((long)r.updated) + "\t" + OneLine(r.message);
  }

string ClosedLine(const ExecRecord &r)
  {
   return "C\t" + r.id + "\t" + IntegerToString((long)NowUtc());
  }

// Updates memory and appends the record to disk (flushed). Returns whether the disk write worked.
bool SaveRecord(ExecRecord &r)
  {
   r.updated = NowUtc();
   PutRecordInMemory(r);
   return AppendLine(EXECUTED_FILE, RecordLine(r));
  }

void ApplyStoreLine(const string line)
  {
   string f[];
   int n = StringSplit(line, '\t', f);
   if(n < 2 || f[1] == "")
      return;
   if(f[0] == "R" && n >= 10)
     {
      ExecRecord r;
      InitRecord(r, f[1], f[7]);
      r.status = f[2];
      r.retcode = (uint)StringToInteger(f[3]);
      r.ticket = (ulong)StringToInteger(f[4]);
      r.price = StringToDouble(f[5]);
      r.volume = StringToDouble(f[6]);
      r.updated = (datetime)StringToInteger(f[8]);
      r.message = f[9];
      int idx = FindRecord(r.id);
      if(idx >= 0)
         r.closed = g_records[idx].closed;
      PutRecordInMemory(r);
      return;
     }
   if(f[0] == "C")
     {
      int idx = FindRecord(f[1]);
      if(idx >= 0)
         g_records[idx].closed = true;
     }
  }

// Rewrites the store with one line per id (atomically) when the log has grown long.
void CompactExecuted()
  {
   string content = "";
   for(int i = 0; i < ArraySize(g_records); i++)
     {
      content += RecordLine(g_records[i]) + "\r\n";
      if(g_records[i].closed)
         content += ClosedLine(g_records[i]) + "\r\n";
     }
   if(WriteFileAtomic(EXECUTED_FILE, content))
      Log("compacted " + EXECUTED_FILE);
  }

void LoadExecuted()
  {
   ArrayResize(g_records, 0);
   if(!FileIsExist(EXECUTED_FILE))
     {
      Log("no " + EXECUTED_FILE + " yet (first start)");
      return;
     }
   string text;
   if(!ReadFileText(EXECUTED_FILE, text))
     {
      Log("WARNING: cannot read " + EXECUTED_FILE + " (error " + IntegerToString(GetLastError()) +
          "); redelivered commands will still be matched against positions and history by comment");
      return;
     }
   string lines[];
   int n = SplitLines(text, lines);
   int used = 0;
   for(int i = 0; i < n; i++)
     {
      if(lines[i] == "")
         continue;
      used++;
      ApplyStoreLine(lines[i]);
     }
   Log("remembered " + IntegerToString(ArraySize(g_records)) + " command ids from " + EXECUTED_FILE);
   if(used > 2 * ArraySize(g_records) + 200)
      CompactExecuted();
  }

//+------------------------------------------------------------------+
//| Outbox: results and closed messages until the server takes them  |
//| sortie/outbox.txt: <kind> TAB <id> TAB <created unix> TAB <json>  |
//+------------------------------------------------------------------+
void SaveOutbox()
  {
   string content = "";
   for(int i = 0; i < ArraySize(g_outbox); i++)
      content += g_outbox[i].kind + "\t" + g_outbox[i].id + "\t" + IntegerToString((long)g_outbox[i].created) +
                 "\t" + g_outbox[i].body + "\r\n";
   if(!WriteFileAtomic(OUTBOX_FILE, content))
      LogThrottled("outbox save", "WARNING: cannot save " + OUTBOX_FILE + "; queued messages live in memory only");
  }

void LoadOutbox()
  {
   ArrayResize(g_outbox, 0);
   if(!FileIsExist(OUTBOX_FILE))
      return;
   string text;
   if(!ReadFileText(OUTBOX_FILE, text))
      return;
   string lines[];
   int n = SplitLines(text, lines);
   for(int i = 0; i < n; i++)
     {
      string f[];
      if(StringSplit(lines[i], '\t', f) < 4)
         continue;
      int k = ArraySize(g_outbox);
      ArrayResize(g_outbox, k + 1);
      g_outbox[k].kind = f[0];
      g_outbox[k].id = f[1];
      g_outbox[k].created = (datetime)StringToInteger(f[2]);
      g_outbox[k].body = f[3];
      g_outbox[k].next_try = 0;
      g_outbox[k].attempts = 0;
     }
   if(ArraySize(g_outbox) > 0)
      Log(IntegerToString(ArraySize(g_outbox)) + " unsent message(s) restored from " + OUTBOX_FILE);
  }

void Enqueue(const string kind, const string id, const string body)
  {
   int idx = -1;
   for(int i = 0; i < ArraySize(g_outbox); i++)
      if(g_outbox[i].kind == kind && g_outbox[i].id == id)
        {
         idx = i;
         break;
        }
   if(idx < 0)
     {
      idx = ArraySize(g_outbox);
      ArrayResize(g_outbox, idx + 1);
      g_outbox[idx].created = NowUtc();
     }
   g_outbox[idx].kind = kind;
   g_outbox[idx].id = id;
   g_outbox[idx].body = body;
   g_outbox[idx].next_try = 0;
   g_outbox[idx].attempts = 0;
   SaveOutbox();
  }

void RemoveOutboxAt(const int index)
  {
   int n = ArraySize(g_outbox);
   for(int i = index; i < n - 1; i++)
      g_outbox[i] = g_outbox[i + 1];
   ArrayResize(g_outbox, n - 1);
  }

int PriceDigits(const string symbol)
  {
   long digits = 0;
   if(symbol != "" && SymbolInfoInteger(symbol, SYMBOL_DIGITS, digits))
      return (int)digits;
   return 8;
  }

string ResultJson(const ExecRecord &r)
  {
   return "{\"id\":" + JsonString(r.id) +
          ",\"status\":" + JsonString(r.status) +
          ",\"retcode\":" + IntegerToString(r.retcode) +
          ",\"ticket\":" + IntegerToString((long)r.ticket) +
          ",\"price\":" + JsonNum(r.price, PriceDigits(r.symbol)) +
          ",\"volume\":" + JsonNum(r.volume, 8) +
          ",\"message\":" + JsonString(Sub(r.message, 0, 900)) + "}";   // Sortie accepts up to 1000 characters
  }

void QueueResult(const ExecRecord &r)
  {
   Enqueue("result", r.id, ResultJson(r));
  }

// 1 = delivered, 0 = refused (try later), -1 = transport down (stop this round).
int DeliverOutboxItem(const OutboxItem &item)
  {
   if(Transport == TRANSPORT_FILE)
     {
      // File drop: the same body plus a "type" so one out/ folder can carry both kinds.
      string type = item.kind == "closed" ? "closed" : "result";
      string name = item.kind == "closed" ? item.id + ".closed.json" : item.id + ".json";
      string typed = "{\"type\":\"" + type + "\"," + Sub(item.body, 1, StringLen(item.body) - 1);
      return WriteFileAtomic(OUTBOX_DIR + "\\" + name, typed) ? 1 : -1;
     }
   string path = item.kind == "closed" ? "/bridge/v1/closed" : "/bridge/v1/results";
   string response;
   int status = HttpRequest("POST", path, item.body, HTTP_TIMEOUT_MS, response);
   if(status >= 200 && status < 300)
      return 1;
   if(status < 0)
      return -1;
   LogThrottled("outbox " + IntegerToString(status),
                "server answered " + IntegerToString(status) + " to " + path + " for " + item.id + ": " +
                Sub(response, 0, 300) + " (will retry)");
   return 0;
  }

void FlushOutbox()
  {
   datetime now = NowUtc();
   bool changed = false;
   int tried = 0;
   int i = 0;
   while(i < ArraySize(g_outbox) && tried < OUTBOX_BATCH && !IsStopped())
     {
      if(g_outbox[i].next_try > now)
        {
         i++;
         continue;
        }
      tried++;
      int delivered = DeliverOutboxItem(g_outbox[i]);
      if(delivered == 1)
        {
         Log("sent " + g_outbox[i].kind + " for " + g_outbox[i].id);
         RemoveOutboxAt(i);
         changed = true;
         continue;
        }
      if(now - g_outbox[i].created > OUTBOX_MAX_AGE_DAYS * 86400)
        {
         Log("dropping " + g_outbox[i].kind + " for " + g_outbox[i].id + ": not accepted for " +
             IntegerToString(OUTBOX_MAX_AGE_DAYS) + " days");
         RemoveOutboxAt(i);
         changed = true;
         continue;
        }
      g_outbox[i].attempts++;
      int delay = (int)MathMin(300.0, MathPow(2.0, (double)MathMin(g_outbox[i].attempts, 9)));
      g_outbox[i].next_try = now + delay;
      if(delivered < 0)
         break;   // server unreachable: later items would only wait for the same timeout
      i++;
     }
   if(changed)
      SaveOutbox();
  }

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
   // Extra fields (the contract welcomes them): who is talking, for support and logs.
   json += ",\"bridge\":{\"ea_version\":\"" + SORTIE_VERSION + "\"" +
           ",\"protocol\":1" +
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

//+------------------------------------------------------------------+
//| Finding an earlier execution in the terminal                     |
//+------------------------------------------------------------------+
uint Fnv1a32(const string text)
  {
   uint hash = (uint)2166136261;
   int n = StringLen(text);
   for(int i = 0; i < n; i++)
     {
      hash ^= (uint)StringGetCharacter(text, i);
      hash *= (uint)16777619;
     }
   return hash;
  }

// The order comment that carries a command id. Ids up to 31 characters are used as they are.
// Longer ids keep their head plus a hash of the whole id: a plain cut could make two legs of
// one fire look alike and turn leg 2 into a "duplicate" of leg 1.
string CommentTag(const string id)
  {
   if(StringLen(id) <= COMMENT_MAX_CHARS)
      return id;
   return Sub(id, 0, COMMENT_MAX_CHARS - 9) + "~" + StringFormat("%08X", Fnv1a32(id));
  }

// Looks for a position, pending order, entry deal or filled order whose comment carries the id.
// This is what makes a redelivered command safe after a crash or a lost executed.txt.
bool FindExecutedInTerminal(const string id, ulong &positionId, double &price, double &volume)
  {
   string tag = CommentTag(id);
   positionId = 0;
   price = 0;
   volume = 0;
   for(int i = PositionsTotal() - 1; i >= 0; i--)
     {
      if(PositionGetTicket(i) == 0)
         continue;
      if(PositionGetString(POSITION_COMMENT) != tag)
         continue;
      positionId = (ulong)PositionGetInteger(POSITION_IDENTIFIER);
      price = PositionGetDouble(POSITION_PRICE_OPEN);
      volume = PositionGetDouble(POSITION_VOLUME);
      return true;
     }
   for(int i = OrdersTotal() - 1; i >= 0; i--)
     {
      ulong order = OrderGetTicket(i);
      if(order == 0 || OrderGetString(ORDER_COMMENT) != tag)
         continue;
      positionId = order;   // a market order that is still being filled: its ticket becomes the position id
      price = OrderGetDouble(ORDER_PRICE_OPEN);
      volume = OrderGetDouble(ORDER_VOLUME_INITIAL);
      return true;
     }
   datetime to = TimeCurrent() + 86400;
   if(!HistorySelect(to - HISTORY_LOOKBACK_DAYS * 86400, to))
      return false;
   for(int i = HistoryDealsTotal() - 1; i >= 0; i--)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0)
         continue;
      if(HistoryDealGetInteger(deal, DEAL_ENTRY) != DEAL_ENTRY_IN)
         continue;
      if(HistoryDealGetString(deal, DEAL_COMMENT) != tag)
         continue;
      positionId = (ulong)HistoryDealGetInteger(deal, DEAL_POSITION_ID);
      price = HistoryDealGetDouble(deal, DEAL_PRICE);
      volume = HistoryDealGetDouble(deal, DEAL_VOLUME);
      return true;
     }
   // Some brokers rewrite deal comments; the order keeps the one we sent.
   for(int i = HistoryOrdersTotal() - 1; i >= 0; i--)
     {
      ulong order = HistoryOrderGetTicket(i);
      if(order == 0 || HistoryOrderGetString(order, ORDER_COMMENT) != tag)
         continue;
      long state = HistoryOrderGetInteger(order, ORDER_STATE);
      if(state != ORDER_STATE_FILLED && state != ORDER_STATE_PARTIAL)
         continue;
      positionId = (ulong)HistoryOrderGetInteger(order, ORDER_POSITION_ID);
      if(positionId == 0)
         positionId = order;
      price = HistoryOrderGetDouble(order, ORDER_PRICE_OPEN);
      volume = HistoryOrderGetDouble(order, ORDER_VOLUME_INITIAL) - HistoryOrderGetDouble(order, ORDER_VOLUME_CURRENT);
      return true;
     }
   return false;
  }

//+------------------------------------------------------------------+
//| Trading                                                          |
//+------------------------------------------------------------------+
string RetcodeText(const uint rc)
  {
   switch(rc)
     {
      case 10004:
         return "requote: the broker offered a different price";
      case 10006:
         return "the broker rejected the order";
      case 10007:
         return "the order was cancelled in the terminal";
      case 10008:
         return "order placed";
      case 10009:
         return "done";
      case 10010:
         return "only part of the volume was filled";
      case 10011:
         return "the broker could not process the request";
      case 10012:
         return "the request timed out at the broker";
      case 10013:
         return "invalid request";
      case 10014:
         return "invalid volume for this symbol";
      case 10015:
         return "invalid price";
      case 10016:
         return "invalid stops: stop loss or take profit too close to the price or on the wrong side";
      case 10017:
         return "trading is disabled";
      case 10018:
         return "the market is closed";
      case 10019:
         return "not enough money: free margin does not cover this volume";
      case 10020:
         return "prices changed";
      case 10021:
         return "no quotes to process the request";
      case 10022:
         return "invalid order expiration";
      case 10023:
         return "the order state changed";
      case 10024:
         return "too many requests";
      case 10025:
         return "no changes in the request";
      case 10026:
         return "autotrading is disabled by the broker";
      case 10027:
         return "autotrading is disabled in the terminal (Algo Trading button)";
      case 10028:
         return "the request is locked for processing";
      case 10029:
         return "the order or position is frozen";
      case 10030:
         return "no filling mode accepted by the broker for this symbol";
      case 10031:
         return "no connection to the trade server";
      case 10032:
         return "this operation is allowed only on live accounts";
      case 10033:
         return "the limit on pending orders is reached";
      case 10034:
         return "the volume limit for this symbol is reached";
      case 10035:
         return "incorrect or prohibited order type";
      case 10036:
         return "the position is already closed";
      case 10038:
         return "close volume exceeds the position volume";
      case 10039:
         return "a close order for this position already exists";
      case 10040:
         return "the limit on open positions is reached";
      case 10041:
         return "pending order activation was rejected";
      case 10042:
         return "only long positions are allowed on this symbol";
      case 10043:
         return "only short positions are allowed on this symbol";
      case 10044:
         return "only closing positions is allowed on this symbol";
      case 10045:
         return "FIFO rule: positions must be closed in order";
      case 10046:
         return "opposite positions on one symbol are not allowed on this account";
     }
   return "the broker returned code " + IntegerToString(rc);
  }

string FillingName(const ENUM_ORDER_TYPE_FILLING filling)
  {
   if(filling == ORDER_FILLING_FOK)
      return "FOK";
   if(filling == ORDER_FILLING_IOC)
      return "IOC";
   if(filling == ORDER_FILLING_RETURN)
      return "RETURN";
   return EnumToString(filling);
  }

void AddFilling(ENUM_ORDER_TYPE_FILLING &modes[], const ENUM_ORDER_TYPE_FILLING mode)
  {
   int n = ArraySize(modes);
   ArrayResize(modes, n + 1);
   modes[n] = mode;
  }

// Filling modes to try, best first. SYMBOL_FILLING_MODE is a bit set of what the symbol
// accepts (1 = FOK, 2 = IOC). RETURN is accepted in every execution mode except Market
// execution; it is also kept as the last resort when the broker advertises nothing. A 10030
// answer moves on to the next mode.
int BuildFillingList(const string symbol, ENUM_ORDER_TYPE_FILLING &modes[])
  {
   ArrayResize(modes, 0);
   long flags = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   long execution = SymbolInfoInteger(symbol, SYMBOL_TRADE_EXEMODE);
   if((flags & SYMBOL_FILLING_FOK) != 0)
      AddFilling(modes, ORDER_FILLING_FOK);
   if((flags & SYMBOL_FILLING_IOC) != 0)
      AddFilling(modes, ORDER_FILLING_IOC);
   if(execution != SYMBOL_TRADE_EXECUTION_MARKET || ArraySize(modes) == 0)
      AddFilling(modes, ORDER_FILLING_RETURN);
   return ArraySize(modes);
  }

bool TradingPermitted(const string symbol, const bool isBuy, uint &rc, string &why)
  {
   if(TerminalInfoInteger(TERMINAL_CONNECTED) == 0)
     {
      rc = 10031;
      why = "the terminal is not connected to the broker";
      return false;
     }
   if(TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) == 0)
     {
      rc = 10027;
      why = "Algo Trading is switched off in the terminal";
      return false;
     }
   if(MQLInfoInteger(MQL_TRADE_ALLOWED) == 0)
     {
      rc = 10027;
      why = "'Allow Algo Trading' is unticked in this EA's settings";
      return false;
     }
   if(AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) == 0)
     {
      rc = 10017;
      why = "trading is not allowed on this account (logged in with the investor password?)";
      return false;
     }
   if(AccountInfoInteger(ACCOUNT_TRADE_EXPERT) == 0)
     {
      rc = 10026;
      why = "the broker does not allow Expert Advisors on this account";
      return false;
     }
   long mode = SymbolInfoInteger(symbol, SYMBOL_TRADE_MODE);
   if(mode == SYMBOL_TRADE_MODE_DISABLED)
     {
      rc = 10017;
      why = "trading is disabled for " + symbol;
      return false;
     }
   if(mode == SYMBOL_TRADE_MODE_CLOSEONLY)
     {
      rc = 10044;
      why = "only closing positions is allowed on " + symbol;
      return false;
     }
   if(mode == SYMBOL_TRADE_MODE_LONGONLY && !isBuy)
     {
      rc = 10042;
      why = "only long positions are allowed on " + symbol;
      return false;
     }
   if(mode == SYMBOL_TRADE_MODE_SHORTONLY && isBuy)
     {
      rc = 10043;
      why = "only short positions are allowed on " + symbol;
      return false;
     }
   return true;
  }

int StepDigits(const double step)
  {
   for(int d = 0; d < 8; d++)
     {
      double scaled = step * MathPow(10.0, d);
      if(MathAbs(scaled - MathRound(scaled)) < 1e-7)
         return d;
     }
   return 8;
  }

// Lots rounded DOWN to the volume step in whole steps (never up: a position is never larger
// than Sortie sized it; the 1e-9 keeps 0.29 / 0.01 at 29 steps despite binary fractions).
bool NormaliseVolume(const string symbol, const double requested, double &lots, string &note)
  {
   note = "";
   double minVolume = SymbolInfoDouble(symbol, SYMBOL_VOLUME_MIN);
   double maxVolume = SymbolInfoDouble(symbol, SYMBOL_VOLUME_MAX);
   double step = SymbolInfoDouble(symbol, SYMBOL_VOLUME_STEP);
   if(step <= 0)
      step = minVolume > 0 ? minVolume : 0.01;
   int digits = StepDigits(step);
   double wanted = requested;
   if(maxVolume > 0 && wanted > maxVolume)
     {
      wanted = maxVolume;
      note = "volume capped at the broker maximum " + JsonNum(maxVolume, digits);
     }
   double steps = MathFloor(wanted / step + 1e-9);
   lots = NormalizeDouble(steps * step, digits);
   if(lots <= 0 || lots < minVolume - step * 1e-6)
     {
      note = "volume " + JsonNum(requested, 8) + " is below the broker minimum " + JsonNum(minVolume, digits) + " for " + symbol;
      return false;
     }
   if(note == "" && lots < requested - step * 1e-6)
      note = "volume rounded down to the step " + JsonNum(step, digits);
   return true;
  }

double NormalisePrice(const string symbol, const double price)
  {
   if(price <= 0)
      return 0;
   double tickSize = SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_SIZE);
   int digits = (int)SymbolInfoInteger(symbol, SYMBOL_DIGITS);
   double p = price;
   if(tickSize > 0)
      p = MathRound(p / tickSize) * tickSize;
   return NormalizeDouble(p, digits);
  }

// A symbol just added to Market Watch may need a moment before its first tick arrives.
bool GetTick(const string symbol, MqlTick &tick)
  {
   for(int i = 0; i < 10 && !IsStopped(); i++)
     {
      if(SymbolInfoTick(symbol, tick) && tick.bid > 0 && tick.ask > 0)
         return true;
      Sleep(100);
     }
   return false;
  }

// |market price - entry| > max_entry_distance. Half a point of slack absorbs binary noise;
// real prices move in whole points, so it never hides a real move.
bool PriceMoved(const SortieCommand &cmd, const double marketPrice, const double point)
  {
   if(!cmd.has_entry || !cmd.has_max_distance || cmd.entry <= 0 || cmd.max_entry_distance < 0)
      return false;
   return MathAbs(marketPrice - cmd.entry) > cmd.max_entry_distance + point * 0.5;
  }

// SL/TP of a new position must be at least SYMBOL_TRADE_STOPS_LEVEL points from the price the
// position would close at (bid for a buy, ask for a sell). SYMBOL_TRADE_FREEZE_LEVEL forbids
// changing stops inside its distance; honouring it too keeps the stops movable afterwards.
bool StopsValid(const string symbol, const bool isBuy, const MqlTick &tick, const double sl, const double tp, string &why)
  {
   double point = SymbolInfoDouble(symbol, SYMBOL_POINT);
   int digits = (int)SymbolInfoInteger(symbol, SYMBOL_DIGITS);
   long stopsLevel = SymbolInfoInteger(symbol, SYMBOL_TRADE_STOPS_LEVEL);
   long freezeLevel = SymbolInfoInteger(symbol, SYMBOL_TRADE_FREEZE_LEVEL);
   long levelPoints = (long)MathMax(stopsLevel, freezeLevel);
   double minDistance = levelPoints * point;
   double closePrice = isBuy ? tick.bid : tick.ask;
   string against = isBuy ? "bid " : "ask ";
   if(sl > 0)
     {
      if(isBuy && sl >= closePrice)
        {
         why = "stop loss " + DoubleToString(sl, digits) + " is not below the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(!isBuy && sl <= closePrice)
        {
         why = "stop loss " + DoubleToString(sl, digits) + " is not above the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(minDistance > 0 && MathAbs(closePrice - sl) < minDistance - point * 0.5)
        {
         why = "stop loss is closer to the price than the broker minimum of " + IntegerToString(levelPoints) + " points";
         return false;
        }
     }
   if(tp > 0)
     {
      if(isBuy && tp <= closePrice)
        {
         why = "take profit " + DoubleToString(tp, digits) + " is not above the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(!isBuy && tp >= closePrice)
        {
         why = "take profit " + DoubleToString(tp, digits) + " is not below the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(minDistance > 0 && MathAbs(tp - closePrice) < minDistance - point * 0.5)
        {
         why = "take profit is closer to the price than the broker minimum of " + IntegerToString(levelPoints) + " points";
         return false;
        }
     }
   return true;
  }

ulong DeviationPoints(const SortieCommand &cmd, const double point)
  {
   if(cmd.has_max_distance && cmd.max_entry_distance > 0 && point > 0)
      return (ulong)MathMax(1.0, MathRound(cmd.max_entry_distance / point));
   return 20;
  }

void FillFromResult(ExecRecord &rec, const MqlTradeResult &result, const double requestedPrice, const double lots)
  {
   ulong positionId = result.order;   // the opening order's ticket is the new position's identifier
   double price = result.price;
   double volume = result.volume;
   if(result.deal > 0 && HistoryDealSelect(result.deal))
     {
      ulong fromDeal = (ulong)HistoryDealGetInteger(result.deal, DEAL_POSITION_ID);
      if(fromDeal > 0)
         positionId = fromDeal;   // on netting accounts this is the existing position
      if(price <= 0)
         price = HistoryDealGetDouble(result.deal, DEAL_PRICE);
      if(volume <= 0)
         volume = HistoryDealGetDouble(result.deal, DEAL_VOLUME);
     }
   if(price <= 0)
      price = requestedPrice;
   if(volume <= 0)
      volume = lots;
   rec.ticket = positionId;
   rec.price = price;
   rec.volume = volume;
   string message = "filled";
   if(result.retcode == 10010)
      message = "partially filled: " + JsonNum(volume, 8) + " of " + JsonNum(lots, 8) + " lots";
   else
      if(result.retcode == 10008)
         message = "order placed; the broker is filling it";
   SetOutcome(rec, "filled", result.retcode, message);
  }

bool IsExpired(const SortieCommand &cmd)
  {
   datetime expiresUtc;
   if(!cmd.has_expiry || !CommandExpiry(cmd, expiresUtc))
      return false;
   return NowUtc() >= expiresUtc;
  }

// Sends the order, retrying what is worth retrying. Fills rec with the outcome.
void SendWithRetries(const SortieCommand &cmd, const bool isBuy, const double lots, const double sl, const double tp, ExecRecord &rec)
  {
   ENUM_ORDER_TYPE_FILLING fillings[];
   int fillCount = BuildFillingList(cmd.symbol, fillings);
   int fillIndex = 0;
   int retriesLeft = g_maxRetries;
   int retriesUsed = 0;
   string tag = CommentTag(cmd.id);
   double point = SymbolInfoDouble(cmd.symbol, SYMBOL_POINT);
   int digits = (int)SymbolInfoInteger(cmd.symbol, SYMBOL_DIGITS);
   // Hard stop on attempts; the real limits are MaxRetries and the number of filling modes.
   for(int attempt = 1; attempt <= 50; attempt++)
     {
      if(IsStopped())
        {
         SetOutcome(rec, "failed", 0, "the EA was stopped before the order was sent");
         return;
        }
      if(attempt > 1 && IsExpired(cmd))
        {
         SetOutcome(rec, "failed", 0, "expired");
         return;
        }
      MqlTick tick;
      if(!GetTick(cmd.symbol, tick))
        {
         SetOutcome(rec, "rejected", 10021, "no price quote for " + cmd.symbol);
         return;
        }
      double price = NormalizeDouble(isBuy ? tick.ask : tick.bid, digits);
      if(PriceMoved(cmd, price, point))
        {
         SetOutcome(rec, "rejected", 0, "price moved");
         return;
        }
      string why;
      if(!StopsValid(cmd.symbol, isBuy, tick, sl, tp, why))
        {
         SetOutcome(rec, "rejected", 10016, why);
         return;
        }
      MqlTradeRequest request;
      MqlTradeResult result;
      ZeroMemory(request);
      ZeroMemory(result);
      request.action = TRADE_ACTION_DEAL;
      request.symbol = cmd.symbol;
      request.volume = lots;
      request.type = isBuy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL;
      request.price = price;
      request.sl = sl;
      request.tp = tp;
      request.deviation = DeviationPoints(cmd, point);
      request.magic = MagicNumber;
      request.comment = tag;
      request.type_filling = fillings[fillIndex];
      request.type_time = ORDER_TIME_GTC;
      ResetLastError();
      bool accepted = OrderSend(request, result);
      int err = GetLastError();
      uint rc = result.retcode;
      Log(StringFormat("%s attempt %d: %s %s %s lots @ %s sl=%s tp=%s filling=%s -> retcode %u (%s)%s",
                       cmd.id, attempt, isBuy ? "BUY" : "SELL", cmd.symbol, JsonNum(lots, 8),
                       DoubleToString(price, digits), DoubleToString(sl, digits), DoubleToString(tp, digits),
                       FillingName(fillings[fillIndex]), rc, result.comment,
                       accepted ? "" : ", OrderSend error " + IntegerToString(err)));
      if(rc == 10009 || rc == 10010 || rc == 10008)
        {
         FillFromResult(rec, result, price, lots);
         return;
        }
      if(rc == 10030 && fillIndex + 1 < fillCount)
        {
         fillIndex++;   // the broker refused this filling mode: try the next one
         continue;
        }
      if((rc == 10004 || rc == 10020 || rc == 10021 || rc == 10024) && retriesLeft > 0)
        {
         retriesLeft--;
         retriesUsed++;
         Sleep(rc == 10024 ? 1000 : 300);   // then refresh the price and try again
         continue;
        }
      // Not filled as far as the answer says. A timeout or a lost answer can hide a fill, so look
      // for the id in the terminal before calling it rejected.
      if(rc == 0 || rc == 10011 || rc == 10012)
        {
         Sleep(500);
         ulong positionId;
         double foundPrice, foundVolume;
         if(FindExecutedInTerminal(cmd.id, positionId, foundPrice, foundVolume))
           {
            rec.ticket = positionId;
            rec.price = foundPrice;
            rec.volume = foundVolume;
            SetOutcome(rec, "filled", 10009, "filled (confirmed from the terminal after an unclear answer)");
            return;
           }
        }
      string retried = retriesUsed > 0 ? " after " + IntegerToString(retriesUsed) + " retries" : "";
      if(rc == 0)
        {
         SetOutcome(rec, "failed", 0, "the terminal did not send the order (error " + IntegerToString(err) + ")" + retried);
         return;
        }
      SetOutcome(rec, "rejected", rc, RetcodeText(rc) + " (" + IntegerToString(rc) + ")" + retried);
      return;
     }
   SetOutcome(rec, "rejected", 0, "gave up after too many attempts");
  }

// Validates a new command and trades it. The id is recorded (flushed) BEFORE OrderSend.
void ExecuteCommand(const SortieCommand &cmd, ExecRecord &rec)
  {
   if(cmd.problem != "")
     {
      SetOutcome(rec, "failed", 0, "bad command: " + cmd.problem);
      return;
     }
   string action = cmd.action;
   StringToLower(action);
   if(action != "open")
     {
      SetOutcome(rec, "failed", 0, "unsupported action '" + cmd.action + "'");
      return;
     }
   if(cmd.has_expiry)
     {
      datetime expiresUtc;
      if(!CommandExpiry(cmd, expiresUtc))
        {
         SetOutcome(rec, "failed", 0, "bad command: expires_at '" + cmd.expires_text + "' is not a time");
         return;
        }
      if(NowUtc() >= expiresUtc)
        {
         SetOutcome(rec, "failed", 0, "expired");
         return;
        }
     }
   string side = cmd.side;
   StringToUpper(side);
   if(side != "BUY" && side != "SELL")
     {
      SetOutcome(rec, "failed", 0, "bad command: side must be BUY or SELL");
      return;
     }
   bool isBuy = (side == "BUY");
   if(cmd.symbol == "")
     {
      SetOutcome(rec, "failed", 0, "bad command: symbol is missing");
      return;
     }
   if(!cmd.has_volume || cmd.volume <= 0)
     {
      SetOutcome(rec, "failed", 0, "bad command: volume must be above 0");
      return;
     }
   if(cmd.stop_loss < 0 || cmd.take_profit < 0)
     {
      SetOutcome(rec, "failed", 0, "bad command: negative stop loss or take profit");
      return;
     }
   if(!SymbolSelect(cmd.symbol, true))
     {
      SetOutcome(rec, "rejected", 0, "unknown symbol " + cmd.symbol + " at this broker");
      return;
     }
   uint rc = 0;
   string why = "";
   if(!TradingPermitted(cmd.symbol, isBuy, rc, why))
     {
      SetOutcome(rec, "rejected", rc, why);
      return;
     }
   double lots;
   string volumeNote;
   if(!NormaliseVolume(cmd.symbol, cmd.volume, lots, volumeNote))
     {
      SetOutcome(rec, "rejected", 10014, volumeNote);
      return;
     }
   MqlTick tick;
   if(!GetTick(cmd.symbol, tick))
     {
      SetOutcome(rec, "rejected", 10021, "no price quote for " + cmd.symbol);
      return;
     }
   double point = SymbolInfoDouble(cmd.symbol, SYMBOL_POINT);
   if(PriceMoved(cmd, isBuy ? tick.ask : tick.bid, point))
     {
      SetOutcome(rec, "rejected", 0, "price moved");
      return;
     }
   double sl = NormalisePrice(cmd.symbol, cmd.stop_loss);
   double tp = NormalisePrice(cmd.symbol, cmd.take_profit);
   if(!StopsValid(cmd.symbol, isBuy, tick, sl, tp, why))
     {
      SetOutcome(rec, "rejected", 10016, why);
      return;
     }
   // Exactly-once: the id is on disk before the order can exist. If the EA dies after this
   // line, the restart finds "sending" and checks the terminal instead of trading again.
   SetOutcome(rec, "sending", 0, "");
   if(!SaveRecord(rec))
     {
      SetOutcome(rec, "failed", 0, "could not record the command id in " + EXECUTED_FILE + "; order not sent");
      return;
     }
   SendWithRetries(cmd, isBuy, lots, sl, tp, rec);
   if(rec.status == "filled" && volumeNote != "")
      rec.message += " (" + volumeNote + ")";
  }

// "" when the id can be used; otherwise why not.
string IdProblem(const string id)
  {
   int n = StringLen(id);
   if(n == 0)
      return "empty id";
   if(n > 128)
      return "id longer than 128 characters";
   for(int i = 0; i < n; i++)
     {
      ushort c = StringGetCharacter(id, i);
      if(c < 0x20 || c == 0x7F)
         return "id contains control characters";
      bool fileSafe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if(Transport == TRANSPORT_FILE && !fileSafe)
         return "id has characters that cannot name a file (allowed: A-Z a-z 0-9 _ -)";
     }
   return "";
  }

void FinishCommand(ExecRecord &rec, const SortieCommand &cmd)
  {
   if(!SaveRecord(rec))
      Log("WARNING: could not write the result of " + rec.id + " to " + EXECUTED_FILE);
   QueueResult(rec);
   string what = cmd.side + " " + JsonNum(cmd.volume, 8) + " " + cmd.symbol;
   string detail = rec.status == "filled"
                   ? "ticket " + IntegerToString((long)rec.ticket) + " @ " + JsonNum(rec.price, PriceDigits(rec.symbol)) + ", " + JsonNum(rec.volume, 8) + " lots"
                   : rec.message;
   Log("command " + rec.id + " (fire " + cmd.fire_id + " leg " + cmd.leg + "): " + what + " -> " + rec.status +
       " (retcode " + IntegerToString(rec.retcode) + ") " + detail);
  }

void HandleCommand(SortieCommand &cmd)
  {
   if(cmd.id == "")
     {
      Log("skipped a command without an id (fire " + cmd.fire_id + ")");
      return;
     }
   string problem = IdProblem(cmd.id);
   if(problem != "")
     {
      Log("skipped a command: " + problem + " (fire " + cmd.fire_id + ")");
      return;
     }
   int idx = FindRecord(cmd.id);
   if(idx >= 0 && g_records[idx].status != "sending" && g_records[idx].status != "")
     {
      // Redelivery (at-least-once from Sortie): answer with what happened, never trade again.
      Log("command " + cmd.id + " was already handled (" + g_records[idx].status + "); re-reporting its result");
      QueueResult(g_records[idx]);
      return;
     }
   ExecRecord rec;
   InitRecord(rec, cmd.id, cmd.symbol);
   ulong positionId;
   double price, volume;
   if(FindExecutedInTerminal(cmd.id, positionId, price, volume))
     {
      rec.ticket = positionId;
      rec.price = price;
      rec.volume = volume;
      SetOutcome(rec, "filled", 10009, "already executed (found in the terminal by its order comment)");
      FinishCommand(rec, cmd);
      return;
     }
   if(idx >= 0)
     {
      // Recorded as "sending" but no trace in the terminal: the EA stopped between recording
      // and the broker's answer. Sending again could open a second position, so it is not.
      SetOutcome(rec, "failed", 0, "interrupted before the broker confirmed the order; not sent again to avoid a duplicate - check the terminal");
      FinishCommand(rec, cmd);
      return;
     }
   ExecuteCommand(cmd, rec);
   FinishCommand(rec, cmd);
  }

// Parses a commands document and handles each command. Bad JSON is logged and skipped.
bool ProcessCommandsText(const string text, const string source)
  {
   SortieCommand cmds[];
   if(!ParseCommandsText(text, cmds))
     {
      Log("skipped malformed JSON from " + source + ": " + g_jerr + " | " + Sub(text, 0, 200));
      return false;
     }
   for(int i = 0; i < ArraySize(cmds) && !IsStopped(); i++)
      HandleCommand(cmds[i]);
   return true;
  }

//+------------------------------------------------------------------+
//| Closed positions                                                 |
//+------------------------------------------------------------------+
bool IsPositionOpen(const ulong positionId)
  {
   for(int i = PositionsTotal() - 1; i >= 0; i--)
     {
      if(PositionGetTicket(i) == 0)
         continue;
      if((ulong)PositionGetInteger(POSITION_IDENTIFIER) == positionId)
         return true;
     }
   return false;
  }

// Queues the closed message once the position is fully closed. profit = profit + swap +
// commission summed over all deals of the position (the opening commission included).
void CheckRecordClosed(const int idx)
  {
   ulong positionId = g_records[idx].ticket;
   if(positionId == 0 || IsPositionOpen(positionId))
      return;
   if(!HistorySelectByPosition((long)positionId))
      return;
   double inVolume = 0, outVolume = 0, net = 0, closePrice = 0;
   datetime closedAt = 0;
   long lastOutMsc = -1;
   int deals = HistoryDealsTotal();
   for(int i = 0; i < deals; i++)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0)
         continue;
      long entry = HistoryDealGetInteger(deal, DEAL_ENTRY);
      double volume = HistoryDealGetDouble(deal, DEAL_VOLUME);
      net += HistoryDealGetDouble(deal, DEAL_PROFIT) + HistoryDealGetDouble(deal, DEAL_SWAP) + HistoryDealGetDouble(deal, DEAL_COMMISSION);
      if(entry == DEAL_ENTRY_IN)
         inVolume += volume;
      else
         if(entry == DEAL_ENTRY_OUT || entry == DEAL_ENTRY_OUT_BY || entry == DEAL_ENTRY_INOUT)
           {
            outVolume += volume;
            long msc = HistoryDealGetInteger(deal, DEAL_TIME_MSC);
            if(msc >= lastOutMsc)
              {
               lastOutMsc = msc;
               closePrice = HistoryDealGetDouble(deal, DEAL_PRICE);
               closedAt = (datetime)HistoryDealGetInteger(deal, DEAL_TIME);
              }
           }
     }
   if(outVolume <= 0)
      return;   // history not synchronised yet: the next scan tries again
   if(inVolume > 0 && outVolume < inVolume - 1e-8)
      return;   // partly closed
   string body = "{\"id\":" + JsonString(g_records[idx].id) +
                 ",\"ticket\":" + IntegerToString((long)positionId) +
                 ",\"close_price\":" + JsonNum(closePrice, PriceDigits(g_records[idx].symbol)) +
                 ",\"profit\":" + JsonNum(net, 2) +
                 ",\"closed_at\":" + JsonString(IsoUtc(ServerToUtc(closedAt))) +
                 ",\"volume\":" + JsonNum(outVolume, 8) +
                 ",\"currency\":" + JsonString(AccountInfoString(ACCOUNT_CURRENCY)) + "}";
   Enqueue("closed", g_records[idx].id, body);
   g_records[idx].closed = true;
   AppendLine(EXECUTED_FILE, ClosedLine(g_records[idx]));
   Log("position " + IntegerToString((long)positionId) + " of command " + g_records[idx].id + " closed @ " +
       JsonNum(closePrice, PriceDigits(g_records[idx].symbol)) + ", profit " + JsonNum(net, 2) + " " +
       AccountInfoString(ACCOUNT_CURRENCY));
  }

// A position with our magic number whose id the store does not know (e.g. executed.txt was
// deleted): the opening deal's comment names the command.
void AdoptPositionByComment(const ulong positionId)
  {
   if(!HistorySelectByPosition((long)positionId))
      return;
   string comment = "";
   string symbol = "";
   double price = 0, volume = 0;
   for(int i = 0; i < HistoryDealsTotal(); i++)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0 || HistoryDealGetInteger(deal, DEAL_ENTRY) != DEAL_ENTRY_IN)
         continue;
      comment = HistoryDealGetString(deal, DEAL_COMMENT);
      symbol = HistoryDealGetString(deal, DEAL_SYMBOL);
      price = HistoryDealGetDouble(deal, DEAL_PRICE);
      volume = HistoryDealGetDouble(deal, DEAL_VOLUME);
      break;
     }
   if(comment == "")
      return;
   int idx = -1;
   for(int i = 0; i < ArraySize(g_records); i++)
      if(CommentTag(g_records[i].id) == comment)
        {
         idx = i;
         break;
        }
   if(idx < 0)
     {
      // Only a comment that is a whole id can stand for one (long ids carry a hash, see CommentTag).
      if(StringFind(comment, "~") >= 0 || IdProblem(comment) != "")
         return;
      ExecRecord rec;
      InitRecord(rec, comment, symbol);
      rec.price = price;
      rec.volume = volume;
      SetOutcome(rec, "filled", 10009, "recovered from the terminal");
      rec.ticket = positionId;
      SaveRecord(rec);
      idx = FindRecord(comment);
      Log("recovered command " + comment + " from position " + IntegerToString((long)positionId));
     }
   if(idx < 0 || g_records[idx].closed)
      return;
   if(g_records[idx].ticket != positionId)
     {
      g_records[idx].ticket = positionId;
      SaveRecord(g_records[idx]);
     }
   CheckRecordClosed(idx);
  }

// Fallback for missed OnTradeTransaction events (EA off, terminal restarted).
void ScanClosedPositions()
  {
   datetime now = NowUtc();
   for(int i = 0; i < ArraySize(g_records) && !IsStopped(); i++)
     {
      if(g_records[i].status != "filled" || g_records[i].closed)
         continue;
      if(g_records[i].ticket == 0)
        {
         // Filled without a known position (answer 10008): look it up by comment for a week.
         if(now - g_records[i].updated > 7 * 86400)
            continue;
         ulong positionId;
         double price, volume;
         if(!FindExecutedInTerminal(g_records[i].id, positionId, price, volume) || positionId == 0)
            continue;
         g_records[i].ticket = positionId;
         SaveRecord(g_records[i]);
        }
      CheckRecordClosed(i);
     }
  }

//+------------------------------------------------------------------+
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
   if(g_inTimer)
      return;
   g_inTimer = true;
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
   g_inTimer = false;
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
      if(g_records[i].ticket != positionId || g_records[i].status != "filled")
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
