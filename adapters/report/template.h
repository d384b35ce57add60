#pragma once
// A small logic-less HTML template language for the printed forms (adapters/report/forms/):
//
//   {{name}}              the value of `name`, HTML-escaped
//   {{#name}}…{{/name}}   a list: the inside once per item (an item's names first, then the
//                         enclosing ones); a value: the inside once when it is not empty
//   {{^name}}…{{/name}}   the inside when `name` is an empty list or an empty value
//   {{>name}}             the template `name` (a partial), with the same data
//
// Every name must be one the data has (an empty value is still a value): a misspelt name or an
// unclosed section is an error naming the template, the line and what was expected, so a broken
// template fails the first render, in the tests.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/status.h"

namespace motcua {

struct TemplateData {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<TemplateData>> lists;

  TemplateData& Set(const std::string& name, std::string value) {
    values[name] = std::move(value);
    return *this;
  }
  TemplateData& Add(const std::string& list) { return lists[list].emplace_back(); }
  // Makes `list` known even when it has no items.
  void List(const std::string& list) { lists[list]; }
};

// Templates by name; partials are looked up here too.
using TemplateSet = std::map<std::string, std::string, std::less<>>;

Result<std::string> RenderTemplate(const TemplateSet& templates, std::string_view name,
                                   const TemplateData& data);

std::string HtmlEscape(std::string_view s);

}  // namespace motcua
