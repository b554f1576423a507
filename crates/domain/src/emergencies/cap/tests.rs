use super::*;

/// The shape of a real 保定市气象台 message: two info blocks, a CPEAS geocode, 黄色 as Moderate.
const BAODING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>13060041600000_20240712213138</identifier>
  <sender>Baoding_Meteorological_Observatory</sender>
  <sent>2024-07-12T21:31:38+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <code>CPEAS</code>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Rainstorm</event>
    <urgency>Unknown</urgency>
    <severity>Moderate</severity>
    <certainty>Unknown</certainty>
    <eventCode><valueName>CPEAS</valueName><value>11B03</value></eventCode>
    <senderName>Baoding Meteorological Observatory</senderName>
    <headline>Yellow rainstorm warning</headline>
    <description>Heavy rain &amp; local flooding expected &#x2013; take care.</description>
    <parameter><valueName>EAS-ORG</valueName><value>WXR</value></parameter>
    <area>
      <areaDesc>Baoding</areaDesc>
      <polygon>38.8,115.4 38.9,115.4 38.9,115.6 38.8,115.4</polygon>
      <circle>38.87,115.46 25</circle>
      <geocode><valueName>CPEAS Geographic Code</valueName><value>130602000000</value></geocode>
    </area>
  </info>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Unknown</urgency>
    <severity>Moderate</severity>
    <certainty>Unknown</certainty>
    <senderName>保定市气象台</senderName>
    <headline>保定市气象台发布暴雨黄色预警信号</headline>
    <description><![CDATA[预计未来6小时内将出现50毫米以上降雨。]]></description>
    <area><areaDesc>保定市</areaDesc><geocode><valueName>CPEAS Geographic Code</valueName><value>130602000000</value></geocode></area>
  </info>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>
</alert>
"#;

#[test]
fn a_real_shape_is_read_and_written_back_the_same() {
    let a = read(BAODING).unwrap();
    assert_eq!(a.infos.len(), 2);
    assert_eq!(a.infos[0].description.as_deref(), Some("Heavy rain & local flooding expected – take care."));
    assert_eq!(a.infos[1].geocodes_first(), Some("130602000000"));
    assert_eq!(a.infos[0].parameters, vec![("EAS-ORG".to_string(), "WXR".to_string())]);
    let again = read(&write(&a)).unwrap();
    assert_eq!(again, a);
}

impl Info {
    fn geocodes_first(&self) -> Option<&str> {
        self.areas.first()?.geocodes.first().map(|(_, v)| v.as_str())
    }
}

#[test]
fn a_dtd_or_an_entity_of_its_own_is_refused_without_reading_it() {
    let xxe = BAODING.replacen("<alert", "<!DOCTYPE alert [<!ENTITY x SYSTEM \"http://169.254.169.254/latest/meta-data/\">]>\n<alert", 1).replacen(
        "<note>",
        "<note>&x;",
        1,
    );
    let e = read(&xxe).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("cap"));
    assert!(e.detail.unwrap_or_default().contains("DTD"));
    let undeclared = BAODING.replacen("Heavy rain", "&x; rain", 1);
    assert!(read(&undeclared).unwrap_err().detail.unwrap_or_default().contains("entity"));
}

#[test]
fn the_standard_and_its_semantic_rules_are_held() {
    let refused = |from: &str, to: &str, field: &str| {
        let e = read(&BAODING.replacen(from, to, 1)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{to}: {e:?}");
    };
    // An Update must refer to what it updates; an empty references element is refused.
    refused("<msgType>Alert</msgType>", "<msgType>Update</msgType>", "references");
    refused("<code>CPEAS</code>", "<code>CPEAS</code><references></references>", "references");
    refused("<code>CPEAS</code>", "<code>CPEAS</code><references> </references>", "references");
    // Neither circular nor post-dated.
    refused(
        "<code>CPEAS</code>",
        "<code>CPEAS</code><references>Baoding_Meteorological_Observatory,13060041600000_20240712213138,2024-07-12T21:31:38+08:00</references>",
        "references",
    );
    refused("<code>CPEAS</code>", "<code>CPEAS</code><references>other,x1,2024-07-13T08:00:00+08:00</references>", "references");
    // Times: a numeric offset, no Z, no fraction.
    refused("2024-07-12T21:31:38+08:00</sent>", "2024-07-12T13:31:38Z</sent>", "sent");
    refused("2024-07-12T21:31:38+08:00</sent>", "2024-07-12T21:31:38.5+08:00</sent>", "sent");
    // A polygon is closed.
    refused("38.8,115.4 38.9,115.4 38.9,115.6 38.8,115.4", "38.8,115.4 38.9,115.4 38.9,115.6 38.7,115.4", "polygon");
    // The schema's lists and order.
    refused("<severity>Moderate</severity>", "<severity>Yellow</severity>", "severity");
    refused("<status>Actual</status>\n  <msgType>Alert</msgType>", "<msgType>Alert</msgType>\n  <status>Actual</status>", "cap");
    refused("<scope>Public</scope>", "<scope>Public</scope><restriction>staff</restriction>", "restriction");
    refused("<identifier>13060041600000_20240712213138</identifier>", "<identifier>a b</identifier>", "identifier");
    refused("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">", "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\">", "cap");
    // A well-formed Update with its reference is accepted.
    let update = BAODING.replacen("<msgType>Alert</msgType>", "<msgType>Update</msgType>", 1).replacen(
        "<code>CPEAS</code>",
        "<code>CPEAS</code><references>Baoding_Meteorological_Observatory,13060041600000_20240712180000,2024-07-12T18:00:00+08:00</references>",
        1,
    );
    let a = read(&update).unwrap();
    assert_eq!(references(&a).unwrap()[0].identifier, "13060041600000_20240712180000");
}

#[test]
fn times_are_written_as_the_standard_wants() {
    let t = time_micros("2026-12-02T12:00:00+08:00").unwrap();
    assert_eq!(cap_time(t), "2026-12-02T12:00:00+08:00");
    assert_eq!(cap_time(t + 999_999), "2026-12-02T12:00:00+08:00");
    assert!(parse_time("2026-12-02T12:00:00-00:00").is_some());
}
