//+------------------------------------------------------------------+
//| Sortie/Json.mqh                                                  |
//| JSON writing, and a small reader for Sortie's messages.          |
//+------------------------------------------------------------------+
//--- JSON reader state (one document at a time; MQL5 is single-threaded per EA)
string g_json = "";
int    g_jpos = 0;
int    g_jlen = 0;
string g_jerr = "";

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
