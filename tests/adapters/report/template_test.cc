// The printed forms' template language (adapters/report/template.h): values escaped, lists and
// conditions, partials; a misspelt name or an unclosed section names the template and the line.

#include "adapters/report/template.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(TemplateTest, ValuesListsConditionsAndPartials) {
  const TemplateSet set = {
      {"page", "<h1>{{title}}</h1>{{>rows}}{{#note}}<p>{{note}}</p>{{/note}}{{^note}}-{{/note}}"},
      {"rows", "{{#items}}<li>{{no}}. {{name}} ({{title}})</li>{{/items}}{{^items}}none{{/items}}"},
  };
  TemplateData d;
  d.Set("title", "Giấy <tiếp nhận> & \"hẹn\"").Set("note", "");
  d.Add("items").Set("no", "1").Set("name", "Đơn");
  d.Add("items").Set("no", "2").Set("name", "Bản vẽ");
  Result<std::string> out = RenderTemplate(set, "page", d);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out,
            "<h1>Giấy &lt;tiếp nhận&gt; &amp; &quot;hẹn&quot;</h1>"
            "<li>1. Đơn (Giấy &lt;tiếp nhận&gt; &amp; &quot;hẹn&quot;)</li>"
            "<li>2. Bản vẽ (Giấy &lt;tiếp nhận&gt; &amp; &quot;hẹn&quot;)</li>-");
  TemplateData empty;
  empty.Set("title", "T").Set("note", "n");
  empty.List("items");
  EXPECT_EQ(*RenderTemplate(set, "page", empty), "<h1>T</h1>none<p>n</p>");
}

TEST(TemplateTest, ABrokenTemplateNamesItsFileLineAndWhatWasExpected) {
  TemplateData d;
  d.Set("number", "1");
  const std::pair<const char*, const char*> cases[] = {
      {"a\nb {{numbr}}", "m01:2: {{numbr}}: the form has no such field; it has number"},
      {"{{#number}}x", "m01:1: {{#number}} is never closed; expected {{/number}}"},
      {"{{#number}}x{{/numbers}}", "m01:1: {{/numbers}} closes {{#number}} (line 1)"},
      {"x {{number", "m01:1: '{{' without its closing '}}'"},
      {"{{ number }}", "m01:1: '{{ number }}' is not a tag"},
      {"{{>nothing}}", "no template 'nothing'"},
  };
  for (const auto& [text, error] : cases) {
    Result<std::string> out = RenderTemplate({{"m01", text}}, "m01", d);
    ASSERT_FALSE(out.ok()) << text;
    EXPECT_NE(out.status().message().find(error), std::string::npos)
        << text << " → " << out.status().message();
  }
}

}  // namespace
}  // namespace motcua
