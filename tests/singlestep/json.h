/* json.h — a small, bounds-checked JSON reader (enough for SingleStepTests' metadata.json).
 *
 * Contract: json_parse() builds a tree from a NUL-terminated text of at most a few MiB;
 * malformed input (or nesting deeper than JSON_MAX_DEPTH) returns NULL with an error
 * message, never reads out of bounds. Strings keep their raw bytes with \" \\ \/ \b \f \n
 * \r \t decoded (\u escapes become '?', which the metadata never needs). Numbers are kept
 * as doubles. json_get() looks up an object member by key.
 */
#ifndef VMM86_TESTS_SINGLESTEP_JSON_H
#define VMM86_TESTS_SINGLESTEP_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 32

typedef enum JsonType { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } JsonType;

typedef struct JsonNode {
    JsonType type;
    double number;           /* JSON_NUMBER, and JSON_BOOL as 0/1 */
    char *string;            /* JSON_STRING */
    char **keys;             /* JSON_OBJECT: member names, parallel to items */
    struct JsonNode **items; /* JSON_ARRAY elements or JSON_OBJECT values */
    size_t count;
} JsonNode;

JsonNode *json_parse(const char *text, char *err, size_t errlen);
void json_free(JsonNode *n);
/* Member `key` of an object, or NULL (also when n is NULL or not an object). */
const JsonNode *json_get(const JsonNode *n, const char *key);

#endif
