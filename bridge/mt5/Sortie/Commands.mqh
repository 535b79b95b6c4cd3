//+------------------------------------------------------------------+
//| Sortie/Commands.mqh                                              |
//| Commands: JSON -> SortieCommand, and which ids can be used.      |
//+------------------------------------------------------------------+
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
   c.position_of = "";
   c.has_stop_loss = false;
   c.has_take_profit = false;
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
   if(key == "position_of")
     {
      c.position_of = ScalarText(kind, text);
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
                 {
                  c.stop_loss = value;
                  c.has_stop_loss = true;
                 }
               else
                 {
                  c.take_profit = value;
                  c.has_take_profit = true;
                 }
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

bool JsonReadCommandObject(SortieCommand &cmds[], const int depth);   // below: arrays and objects nest

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
