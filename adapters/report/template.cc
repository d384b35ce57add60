// The printed forms' template language (template.h): parsed into a tree, then rendered.

#include "adapters/report/template.h"

#include <memory>

namespace motcua {

namespace {

struct Node {
  enum Kind { kText, kValue, kSection, kInverted, kPartial } kind = kText;
  std::string text;  // the text, or the name
  int line = 0;
  std::vector<Node> children;
};

std::string Where(std::string_view name, int line) {
  return std::string(name) + ":" + std::to_string(line);
}

Result<std::vector<Node>> Parse(std::string_view name, std::string_view t) {
  struct Open {
    Node node;
    std::vector<Node> outer;  // the siblings before it
  };
  std::vector<Open> open;
  std::vector<Node> nodes;
  int line = 1;
  size_t at = 0;
  auto count_lines = [&line](std::string_view s) {
    for (char c : s) line += c == '\n';
  };
  while (at < t.size()) {
    const size_t tag = t.find("{{", at);
    const std::string_view text = t.substr(at, tag == std::string_view::npos ? t.npos : tag - at);
    if (!text.empty()) nodes.push_back(Node{Node::kText, std::string(text), line, {}});
    count_lines(text);
    if (tag == std::string_view::npos) break;
    const size_t end = t.find("}}", tag);
    if (end == std::string_view::npos) {
      return InvalidArgument(Where(name, line) + ": '{{' without its closing '}}'");
    }
    std::string_view inside = t.substr(tag + 2, end - tag - 2);
    at = end + 2;
    const char sigil = inside.empty() ? '\0' : inside.front();
    const bool has_sigil = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>';
    std::string tag_name(has_sigil ? inside.substr(1) : inside);
    if (tag_name.empty() || tag_name.find_first_of(" {}\n") != std::string::npos) {
      return InvalidArgument(Where(name, line) + ": '{{" + std::string(inside) +
                             "}}' is not a tag; expected {{name}}, {{#name}}, {{^name}}, "
                             "{{/name}} or {{>name}}");
    }
    if (sigil == '#' || sigil == '^') {
      open.push_back(Open{Node{sigil == '#' ? Node::kSection : Node::kInverted, tag_name, line, {}},
                          std::move(nodes)});
      nodes.clear();
    } else if (sigil == '/') {
      if (open.empty() || open.back().node.text != tag_name) {
        return InvalidArgument(Where(name, line) + ": {{/" + tag_name + "}} closes " +
                               (open.empty() ? std::string("nothing")
                                             : "{{#" + open.back().node.text + "}} (line " +
                                                   std::to_string(open.back().node.line) + ")"));
      }
      Open o = std::move(open.back());
      open.pop_back();
      o.node.children = std::move(nodes);
      nodes = std::move(o.outer);
      nodes.push_back(std::move(o.node));
    } else {
      nodes.push_back(Node{sigil == '>' ? Node::kPartial : Node::kValue, tag_name, line, {}});
    }
  }
  if (!open.empty()) {
    return InvalidArgument(Where(name, open.back().node.line) + ": {{#" + open.back().node.text +
                           "}} is never closed; expected {{/" + open.back().node.text + "}}");
  }
  return nodes;
}

class Renderer {
 public:
  Renderer(const TemplateSet& templates) : templates_(templates) {}

  Status Render(std::string_view name, std::vector<const TemplateData*>* stack, std::string* out) {
    auto it = templates_.find(name);
    if (it == templates_.end()) return Internal("no template '" + std::string(name) + "'");
    if (++depth_ > 16) return InvalidArgument("templates include each other too deeply");
    ASSIGN_OR_RETURN(std::vector<Node> nodes, Parse(name, it->second));
    Status s = Nodes(name, nodes, stack, out);
    --depth_;
    return s;
  }

 private:
  Status Nodes(std::string_view name, const std::vector<Node>& nodes,
               std::vector<const TemplateData*>* stack, std::string* out) {
    for (const Node& n : nodes) {
      if (n.kind == Node::kText) {
        *out += n.text;
        continue;
      }
      if (n.kind == Node::kPartial) {
        RETURN_IF_ERROR(Render(n.text, stack, out));
        continue;
      }
      const std::string* value = nullptr;
      const std::vector<TemplateData>* list = nullptr;
      for (auto d = stack->rbegin(); d != stack->rend() && !value && !list; ++d) {
        if (auto v = (*d)->values.find(n.text); v != (*d)->values.end()) value = &v->second;
        if (auto l = (*d)->lists.find(n.text); l != (*d)->lists.end()) list = &l->second;
      }
      if (value == nullptr && list == nullptr) {
        return InvalidArgument(Where(name, n.line) + ": {{" + n.text +
                               "}}: the form has no such field; " + Known(*stack));
      }
      if (n.kind == Node::kValue) {
        if (list != nullptr) {
          return InvalidArgument(Where(name, n.line) + ": {{" + n.text +
                                 "}} is a list; expected {{#" + n.text + "}}…{{/" + n.text + "}}");
        }
        *out += HtmlEscape(*value);
        continue;
      }
      const bool empty = list != nullptr ? list->empty() : value->empty();
      if (n.kind == Node::kInverted) {
        if (empty) RETURN_IF_ERROR(Nodes(name, n.children, stack, out));
        continue;
      }
      if (list == nullptr) {
        if (!empty) RETURN_IF_ERROR(Nodes(name, n.children, stack, out));
        continue;
      }
      for (const TemplateData& item : *list) {
        stack->push_back(&item);
        Status s = Nodes(name, n.children, stack, out);
        stack->pop_back();
        RETURN_IF_ERROR(s);
      }
    }
    return Status::Ok();
  }

  static std::string Known(const std::vector<const TemplateData*>& stack) {
    std::string s = "it has";
    const char* sep = " ";
    for (const TemplateData* d : stack) {
      for (const auto& [k, v] : d->values) s += sep + k, sep = ", ";
      for (const auto& [k, v] : d->lists) s += sep + k + " (list)", sep = ", ";
    }
    return s;
  }

  const TemplateSet& templates_;
  int depth_ = 0;
};

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Result<std::string> RenderTemplate(const TemplateSet& templates, std::string_view name,
                                   const TemplateData& data) {
  std::string out;
  std::vector<const TemplateData*> stack = {&data};
  Renderer r(templates);
  RETURN_IF_ERROR(r.Render(name, &stack, &out));
  return out;
}

}  // namespace motcua
