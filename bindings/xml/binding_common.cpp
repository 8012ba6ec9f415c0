// The parts of the XML Message Bindings 1.1 and 1.0 that are the same (binding_common.hpp).
#include "bindings/xml/binding_common.hpp"

namespace taxii::xml {

ServiceContact read_contact(const Elem& e) {
  ServiceContact c;
  for (const auto& x : e.children()) read_contact_field(x, c);
  return c;
}

PushMethod read_push_method(const Elem& e) {
  PushMethod pm;
  for (const auto& p : e.children()) {
    if (p.local() == "Protocol_Binding") pm.protocol_binding = p.trimmed_text();
    else if (p.local() == "Message_Binding") pm.message_bindings.push_back(p.trimmed_text());
  }
  return pm;
}

Result<Message> map_checked(const XmlDocument& doc, Message (*read)(const Elem& root),
                            void (*check)(const Message&)) {
  const Elem root(doc, doc.root);
  try {
    Message m = read(root);
    check(m);
    return m;
  } catch (const MappingError& e) {
    return Error::bad_message(e.message);
  }
}

void write_named_mixed(XmlWriter& w, std::string_view element, std::string_view attr, std::string_view value,
                       const Mixed& body) {
  w.open(element).attr(attr, value);
  if (!body.xml.empty()) w.raw(body.xml);
  w.close(element);
}

void write_contact_fields(XmlWriter& w, const ServiceContact& c) {
  w.leaf("Protocol_Binding", c.protocol_binding).leaf("Address", c.address);
  for (const auto& mb : c.message_bindings) w.leaf("Message_Binding", mb);
}

void write_push_method(XmlWriter& w, const PushMethod& pm) {
  w.open("Push_Method").leaf("Protocol_Binding", pm.protocol_binding);
  for (const auto& mb : pm.message_bindings) w.leaf("Message_Binding", mb);
  w.close("Push_Method");
}

Result<std::string> write_checked(const Message& m, Version v, void (*check)(const Message&),
                                  std::string (*write)(const Message&, std::vector<SegmentedBody::Insert>*),
                                  std::vector<SegmentedBody::Insert>* inserts) {
  if (version_of(m) != v) return Error::bad_message("not a TAXII " + std::string(to_string(v)) + " message");
  try {
    check(m);
  } catch (const MappingError& e) {
    return Error::bad_message(e.message);
  }
  return write(m, inserts);
}

}  // namespace taxii::xml
