package io.flowstate.gateway.export;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes a {@link Scene} as a standalone SVG 1.1 document (UTF-8): {@code viewBox} = the scene
 * bounds, one {@code <g data-id="…">} per shape in paint order carrying its rotation and opacity.
 * The document is built with DOM and serialized by the JDK's Transformer, so every user string is
 * escaped by the XML library; characters XML 1.0 cannot carry become U+FFFD. Thread-safe.
 */
public final class SvgExporter {
  static final String SVG_NS = "http://www.w3.org/2000/svg";
  private static final String FONT_FAMILY = "sans-serif";

  /** The SVG document of {@code scene}. CPU-bound: call it off the event loop. */
  public byte[] render(Scene scene) {
    Document doc = newDocument();
    doc.setXmlStandalone(true);
    Element svg = doc.createElementNS(SVG_NS, "svg");
    svg.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns", SVG_NS);
    doc.appendChild(svg);
    Bounds b = scene.bounds();
    svg.setAttribute("version", "1.1");
    svg.setAttribute("viewBox", num(b.minX()) + " " + num(b.minY()) + " " + num(b.width()) + " " + num(b.height()));
    svg.setAttribute("width", num(b.width()));
    svg.setAttribute("height", num(b.height()));
    Map<String, String> markers = arrowMarkers(doc, svg, scene);
    for (ShapeLayout shape : scene.shapes()) {
      svg.appendChild(shape(doc, shape, markers));
    }
    return serialize(doc);
  }

  /** One marker per distinct arrow colour, keyed by colour; ids are generated, never user text. */
  private static Map<String, String> arrowMarkers(Document doc, Element svg, Scene scene) {
    Map<String, String> ids = new LinkedHashMap<>();
    Element defs = null;
    for (ShapeLayout shape : scene.shapes()) {
      if (shape.arrowHead() == null || !shape.strokes()) {
        continue;
      }
      String key = colourKey(shape.stroke());
      if (ids.containsKey(key)) {
        continue;
      }
      if (defs == null) {
        defs = el(doc, "defs");
        svg.appendChild(defs);
      }
      String id = "fs-arrowhead-" + ids.size();
      ids.put(key, id);
      Element marker = el(doc, "marker");
      marker.setAttribute("id", id);
      marker.setAttribute("markerUnits", "strokeWidth");
      String length = num(ShapeLayout.HEAD_LENGTH);
      String width = num(2 * ShapeLayout.HEAD_HALF_WIDTH);
      marker.setAttribute("markerWidth", length);
      marker.setAttribute("markerHeight", width);
      marker.setAttribute("viewBox", "0 0 " + length + " " + width);
      marker.setAttribute("refX", length);
      marker.setAttribute("refY", num(ShapeLayout.HEAD_HALF_WIDTH));
      marker.setAttribute("orient", "auto");
      Element tip = el(doc, "path");
      tip.setAttribute("d", "M0,0 L" + length + "," + num(ShapeLayout.HEAD_HALF_WIDTH) + " L0," + width + " z");
      paint(tip, "fill", shape.stroke());
      marker.appendChild(tip);
      defs.appendChild(marker);
    }
    return ids;
  }

  private static Element shape(Document doc, ShapeLayout s, Map<String, String> markers) {
    Element g = el(doc, "g");
    g.setAttribute("data-id", xmlSafe(s.id()));
    g.setAttribute("data-type", s.type());
    if (s.rotation() != 0) {
      g.setAttribute("transform", "rotate(" + num(s.rotation()) + " " + num(s.cx()) + " " + num(s.cy()) + ")");
    }
    if (s.opacity() < 1) {
      g.setAttribute("opacity", num(s.opacity()));
    }
    switch (s.type()) {
      case "rect", "sticky" -> g.appendChild(outlined(s, rect(doc, s.box())));
      case "ellipse" -> {
        Element e = el(doc, "ellipse");
        ShapeLayout.Box box = s.box();
        e.setAttribute("cx", num(box.x() + box.w() / 2));
        e.setAttribute("cy", num(box.y() + box.h() / 2));
        e.setAttribute("rx", num(box.w() / 2));
        e.setAttribute("ry", num(box.h() / 2));
        g.appendChild(outlined(s, e));
      }
      case "text" -> {
        if (!s.fill().isNone()) {
          g.appendChild(outlined(s, rect(doc, s.box())));
        }
      }
      case "line", "arrow", "path" -> {
        if (s.points() != null) {
          g.appendChild(polyline(doc, s, markers));
        }
      }
      default -> {
        // nothing to draw for an unknown type
      }
    }
    if (s.text() != null && !s.text().lines().isEmpty()) {
      g.appendChild(text(doc, s.text()));
    }
    return g;
  }

  private static Element rect(Document doc, ShapeLayout.Box box) {
    Element r = el(doc, "rect");
    r.setAttribute("x", num(box.x()));
    r.setAttribute("y", num(box.y()));
    r.setAttribute("width", num(box.w()));
    r.setAttribute("height", num(box.h()));
    return r;
  }

  private static Element polyline(Document doc, ShapeLayout s, Map<String, String> markers) {
    double[] p = s.points();
    Element e;
    if (s.type().equals("path")) {
      StringBuilder d = new StringBuilder("M").append(num(p[0])).append(' ').append(num(p[1]));
      for (int i = p.length == 2 ? 0 : 2; i < p.length; i += 2) {
        d.append(" L").append(num(p[i])).append(' ').append(num(p[i + 1]));
      }
      e = el(doc, "path");
      e.setAttribute("d", d.toString());
      e.setAttribute("stroke-linecap", "round");
    } else {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < p.length; i += 2) {
        points.append(i == 0 ? "" : " ").append(num(p[i])).append(',').append(num(p[i + 1]));
      }
      e = el(doc, "polyline");
      e.setAttribute("points", points.toString());
      e.setAttribute("stroke-linecap", s.type().equals("arrow") ? "butt" : "round");
    }
    e.setAttribute("stroke-linejoin", "round");
    outlined(s, e);
    String marker = markers.get(colourKey(s.stroke()));
    if (s.arrowHead() != null && s.strokes() && marker != null) {
      e.setAttribute("marker-end", "url(#" + marker + ")");
    }
    return e;
  }

  private static Element text(Document doc, ShapeLayout.TextBlock block) {
    Element t = el(doc, "text");
    t.setAttributeNS(XMLConstants.XML_NS_URI, "xml:space", "preserve");
    t.setAttribute("font-family", FONT_FAMILY);
    t.setAttribute("font-size", num(block.fontSize()));
    paint(t, "fill", block.paint());
    for (int i = 0; i < block.lines().size(); i++) {
      Element span = el(doc, "tspan");
      span.setAttribute("x", num(block.x()));
      span.setAttribute("y", num(block.baseline(i)));
      span.setTextContent(xmlSafe(block.lines().get(i)));
      t.appendChild(span);
    }
    return t;
  }

  /** Fill and stroke attributes of a shape's own element. */
  private static Element outlined(ShapeLayout s, Element e) {
    paint(e, "fill", s.fill());
    if (s.strokes()) {
      paint(e, "stroke", s.stroke());
      e.setAttribute("stroke-width", num(s.strokeWidth()));
    } else {
      e.setAttribute("stroke", "none");
    }
    return e;
  }

  private static void paint(Element e, String property, Paint paint) {
    if (paint.isNone()) {
      e.setAttribute(property, "none");
      return;
    }
    e.setAttribute(property, paint.hex());
    if (paint.alpha() < 1) {
      e.setAttribute(property + "-opacity", num(paint.alpha()));
    }
  }

  private static String colourKey(Paint p) {
    return p.hex() + "/" + num(p.alpha());
  }

  private static Element el(Document doc, String name) {
    return doc.createElementNS(SVG_NS, name);
  }

  /** A number as SVG writes it: at most 3 decimals, no exponent below 1e15, 0 for non-finite values. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      return "0";
    }
    if (Math.abs(v) >= 1e15) {
      return Double.toString(v);
    }
    String s = BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    return s.equals("-0") ? "0" : s;
  }

  /** {@code s} with every character that XML 1.0 cannot represent replaced by U+FFFD. */
  static String xmlSafe(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      int n = Character.charCount(c);
      boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
          || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
      if (!ok && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        if (ok) {
          out.appendCodePoint(c);
        } else {
          out.append('\uFFFD');
        }
      }
      i += n;
    }
    return out == null ? s : out.toString();
  }

  private static Document newDocument() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      return factory.newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("no XML document builder", e);
    }
  }

  private static byte[] serialize(Document doc) {
    try {
      TransformerFactory factory = TransformerFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer transformer = factory.newTransformer();
      transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      transformer.setOutputProperty(OutputKeys.METHOD, "xml");
      transformer.setOutputProperty(OutputKeys.INDENT, "no");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      transformer.transform(new DOMSource(doc), new StreamResult(out));
      return out.toByteArray();
    } catch (TransformerException e) {
      throw new IllegalStateException("cannot write SVG: " + e.getMessage(), e);
    }
  }
}
