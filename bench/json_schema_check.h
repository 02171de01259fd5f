// A small JSON-schema checker for the tests: what KCIDB's schema uses --
// $ref into $defs, type, required, closed property sets
// (additionalProperties: false), enum, const, pattern, maxLength, items.
// Not a general validator (no oneOf/anyOf/formats); enough to hold
// kcidb.json to the schema's required fields and enums.
#ifndef SWAPBENCH_BENCH_JSON_SCHEMA_CHECK_H_
#define SWAPBENCH_BENCH_JSON_SCHEMA_CHECK_H_

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

namespace swapbench {

inline void CheckSchema(const nlohmann::json& root,
                        const nlohmann::json& schema, const nlohmann::json& v,
                        const std::string& where,
                        std::vector<std::string>* errors) {
  if (schema.contains("$ref")) {
    std::string ref = schema["$ref"];  // "#/$defs/NAME"
    CheckSchema(root, root["$defs"][ref.substr(ref.rfind('/') + 1)], v, where,
                errors);
    return;
  }
  auto err = [&](const std::string& m) { errors->push_back(where + ": " + m); };
  std::string type = schema.value("type", "");
  if (type == "object" && !v.is_object()) return err("not an object");
  if (type == "array" && !v.is_array()) return err("not an array");
  if (type == "string" && !v.is_string()) return err("not a string");
  if (type == "number" && !v.is_number()) return err("not a number");
  if (type == "integer" && !v.is_number_integer()) return err("not an integer");
  if (type == "boolean" && !v.is_boolean()) return err("not a boolean");
  if (schema.contains("enum")) {
    bool ok = false;
    for (const auto& e : schema["enum"]) ok |= e == v;
    if (!ok) err("not in enum: " + v.dump());
  }
  if (schema.contains("const") && schema["const"] != v) err("not the constant");
  if (v.is_string() && schema.contains("pattern") &&
      !std::regex_search(v.get<std::string>(),
                         std::regex(schema["pattern"].get<std::string>())))
    err("does not match " + schema["pattern"].get<std::string>());
  if (v.is_string() && schema.contains("maxLength") &&
      v.get<std::string>().size() > schema["maxLength"].get<size_t>())
    err("too long");
  if (v.is_object()) {
    for (const auto& r : schema.value("required", nlohmann::json::array()))
      if (!v.contains(r)) err("missing required " + r.get<std::string>());
    const auto& props = schema.value("properties", nlohmann::json::object());
    for (const auto& [k, x] : v.items()) {
      if (props.contains(k))
        CheckSchema(root, props[k], x, where + "." + k, errors);
      else if (schema.value("additionalProperties", true) == false)
        err("unknown property " + k);
    }
  }
  if (v.is_array() && schema.contains("items"))
    for (size_t i = 0; i < v.size(); ++i)
      CheckSchema(root, schema["items"], v[i],
                  where + "[" + std::to_string(i) + "]", errors);
}

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_JSON_SCHEMA_CHECK_H_
