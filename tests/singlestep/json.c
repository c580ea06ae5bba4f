/* json.c — see json.h. A recursive-descent parser over a NUL-terminated buffer; every
 * read checks for the terminating NUL first, so malformed input cannot overrun. */
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Parser {
    const char *s;
    size_t pos;
    const char *error;
} Parser;

static void skip_ws(Parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
           p->s[p->pos] == '\r')
        p->pos++;
}

static JsonNode *node_new(JsonType t)
{
    JsonNode *n = calloc(1, sizeof *n);
    if (n)
        n->type = t;
    return n;
}

static JsonNode *parse_value(Parser *p, int depth);

static char *parse_string_raw(Parser *p)
{
    if (p->s[p->pos] != '"') {
        p->error = "expected a string";
        return NULL;
    }
    p->pos++;
    size_t start = p->pos, n = 0;
    /* First pass: find the end and the decoded length. */
    while (p->s[p->pos] != '"') {
        if (p->s[p->pos] == 0) {
            p->error = "unterminated string";
            return NULL;
        }
        if (p->s[p->pos] == '\\') {
            p->pos++;
            if (p->s[p->pos] == 0) {
                p->error = "unterminated escape";
                return NULL;
            }
            if (p->s[p->pos] == 'u') {
                for (int i = 0; i < 4; i++) {
                    if (p->s[p->pos + 1] == 0) {
                        p->error = "short \\u escape";
                        return NULL;
                    }
                    p->pos++;
                }
            }
        }
        p->pos++;
        n++;
    }
    char *out = malloc(n + 1);
    if (!out) {
        p->error = "out of memory";
        return NULL;
    }
    size_t k = 0;
    for (size_t i = start; i < p->pos; i++) {
        char ch = p->s[i];
        if (ch == '\\') {
            ch = p->s[++i];
            switch (ch) {
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'u': ch = '?'; i += 4; break;
            default: break; /* \" \\ \/ and anything else: the character itself */
            }
        }
        out[k++] = ch;
    }
    out[k] = 0;
    p->pos++; /* closing quote */
    return out;
}

static bool add_item(JsonNode *n, JsonNode *item, char *key)
{
    JsonNode **items = realloc(n->items, (n->count + 1) * sizeof *items);
    if (!items)
        return false;
    n->items = items;
    if (n->type == JSON_OBJECT) {
        char **keys = realloc(n->keys, (n->count + 1) * sizeof *keys);
        if (!keys)
            return false;
        n->keys = keys;
        n->keys[n->count] = key;
    }
    n->items[n->count++] = item;
    return true;
}

static JsonNode *parse_container(Parser *p, int depth, bool object)
{
    JsonNode *n = node_new(object ? JSON_OBJECT : JSON_ARRAY);
    if (!n) {
        p->error = "out of memory";
        return NULL;
    }
    char close = object ? '}' : ']';
    p->pos++;
    skip_ws(p);
    if (p->s[p->pos] == close) {
        p->pos++;
        return n;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (object) {
            key = parse_string_raw(p);
            if (!key)
                break;
            skip_ws(p);
            if (p->s[p->pos] != ':') {
                p->error = "expected ':'";
                free(key);
                break;
            }
            p->pos++;
        }
        JsonNode *v = parse_value(p, depth + 1);
        if (!v || !add_item(n, v, key)) {
            if (v && !p->error)
                p->error = "out of memory";
            json_free(v);
            free(key);
            break;
        }
        skip_ws(p);
        if (p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->s[p->pos] == close) {
            p->pos++;
            return n;
        }
        p->error = object ? "expected ',' or '}'" : "expected ',' or ']'";
        break;
    }
    json_free(n);
    return NULL;
}

static JsonNode *parse_value(Parser *p, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        p->error = "nested too deeply";
        return NULL;
    }
    skip_ws(p);
    char c = p->s[p->pos];
    if (c == '{' || c == '[')
        return parse_container(p, depth, c == '{');
    if (c == '"') {
        char *str = parse_string_raw(p);
        JsonNode *n = str ? node_new(JSON_STRING) : NULL;
        if (!n) {
            free(str);
            return NULL;
        }
        n->string = str;
        return n;
    }
    static const struct { const char *word; JsonType t; double v; } words[] = {
        {"true", JSON_BOOL, 1}, {"false", JSON_BOOL, 0}, {"null", JSON_NULL, 0}};
    for (size_t i = 0; i < 3; i++) {
        size_t len = strlen(words[i].word);
        if (!strncmp(p->s + p->pos, words[i].word, len)) {
            p->pos += len;
            JsonNode *n = node_new(words[i].t);
            if (n)
                n->number = words[i].v;
            return n;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        double v = strtod(p->s + p->pos, &end);
        if (end == p->s + p->pos) {
            p->error = "bad number";
            return NULL;
        }
        p->pos = (size_t)(end - p->s);
        JsonNode *n = node_new(JSON_NUMBER);
        if (n)
            n->number = v;
        return n;
    }
    p->error = "unexpected character";
    return NULL;
}

JsonNode *json_parse(const char *text, char *err, size_t errlen)
{
    Parser p = {text, 0, NULL};
    JsonNode *root = parse_value(&p, 0);
    if (root) {
        skip_ws(&p);
        if (p.s[p.pos] != 0) {
            p.error = "trailing characters";
            json_free(root);
            root = NULL;
        }
    }
    if (!root)
        snprintf(err, errlen, "JSON error at byte %zu: %s", p.pos,
                 p.error ? p.error : "out of memory");
    return root;
}

void json_free(JsonNode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++) {
        json_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->string);
    free(n);
}

const JsonNode *json_get(const JsonNode *n, const char *key)
{
    if (!n || n->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < n->count; i++)
        if (!strcmp(n->keys[i], key))
            return n->items[i];
    return NULL;
}
