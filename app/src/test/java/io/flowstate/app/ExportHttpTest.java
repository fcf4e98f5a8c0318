package io.flowstate.app;

import static io.flowstate.app.HistoryHttpTest.assertError;
import static io.flowstate.app.HistoryHttpTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.gateway.export.Scene;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.testkit.WsTestClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@DisplayName("HTTP export of a room as SVG and PNG")
class ExportHttpTest {
  private TestCluster cluster;
  private String room;

  /** One gateway with the default limits and a second one that allows only 1,000-pixel PNGs. */
  @BeforeEach
  void start() {
    cluster = TestCluster.start(1);
    cluster.startGateway(b -> b.maxExportPixels(1_000));
    room = "export-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    HistoryHttpTest.commitThirtyVersions(alice, room);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private String uri(String rest) {
    return "/v1/rooms/" + room + rest;
  }

  private static Document parseXml(byte[] xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
    factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
  }

  private static List<String> dataIds(Document doc) {
    List<String> ids = new ArrayList<>();
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (e.hasAttribute("data-id")) {
        ids.add(e.getAttribute("data-id"));
      }
    }
    return ids;
  }

  /** The scene of the room's state at {@code version} as /state reports it. */
  private Scene sceneAt(long version) {
    JsonNode state = get(cluster, 0, uri("/state?version=" + version)).json().path("state");
    return Scene.of(CanvasState.fromJson(state));
  }

  @Test
  @DisplayName("export.svg is image/svg+xml that parses as XML with one data-id element per shape in z-order")
  void svg() throws Exception {
    HistoryHttpTest.Response head = get(cluster, 0, uri("/export.svg"));
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.contentType()).isEqualTo("image/svg+xml");
    Document doc = parseXml(head.body().getBytes());
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
    // No z: a1, e1, l1, p1, s1 by id; then t1 (z "m"); r1 was deleted at version 10.
    assertThat(dataIds(doc)).containsExactly("a1", "e1", "l1", "p1", "s1", "t1");
    assertThat(dataIds(doc)).containsExactlyElementsOf(sceneAt(30).ids());

    Document early = parseXml(get(cluster, 0, uri("/export.svg?version=5")).body().getBytes());
    assertThat(dataIds(early)).containsExactly("e1", "r1", "t1");
    String text = early.getElementsByTagNameNS("*", "text").item(0).getTextContent();
    assertThat(text).startsWith("a<b>&\"c\"").contains("line 'two'");
    assertThat(early.getDocumentElement().getAttribute("viewBox")).isNotBlank();
  }

  @Test
  @DisplayName("export.png is image/png that decodes to the scene bounds times the scale, at scale 1 and 2")
  void png() throws Exception {
    Scene scene = sceneAt(30);
    for (double scale : new double[] {1, 2, 0.5}) {
      HistoryHttpTest.Response r = get(cluster, 0, uri("/export.png?version=30&scale=" + scale));
      assertThat(r.status()).as("status: %s", r.body()).isEqualTo(200);
      assertThat(r.contentType()).isEqualTo("image/png");
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body().getBytes()));
      assertThat(image).isNotNull();
      assertThat(image.getWidth()).isEqualTo((int) Math.ceil(scene.bounds().width() * scale));
      assertThat(image.getHeight()).isEqualTo((int) Math.ceil(scene.bounds().height() * scale));
    }
    // The red, half-transparent ellipse (80 x 30 at 50,50) shows at its centre at version 7.
    Scene seven = sceneAt(7);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(
        get(cluster, 0, uri("/export.png?version=7")).body().getBytes()));
    int argb = image.getRGB((int) (90 - seven.bounds().minX()), (int) (65 - seven.bounds().minY()));
    assertThat(argb & 0xffffff).isEqualTo(0xff0000);
    assertThat(argb >>> 24).isBetween(120, 135);
  }

  @Test
  @DisplayName("a bad scale or version is 400 bad_request, an image over the pixel limit 400 too_large, an unknown room 404")
  void refusals() {
    for (String bad : List.of("0", "4.5", "-1", "abc", "NaN", "1e1", "")) {
      assertError(get(cluster, 0, uri("/export.png?scale=" + bad)), 400, "bad_request");
    }
    assertError(get(cluster, 0, uri("/export.png?version=0")), 400, "bad_request");
    assertError(get(cluster, 0, uri("/export.svg?version=abc")), 400, "bad_request");
    assertError(get(cluster, 0, uri("/export.svg?version=31")), 404, "not_found");
    assertError(get(cluster, 0, "/v1/rooms/missing-" + cluster.prefix + "/export.svg"), 404, "not_found");
    assertError(get(cluster, 0, "/v1/rooms/missing-" + cluster.prefix + "/export.png"), 404, "not_found");
    assertError(get(cluster, 1, uri("/export.png")), 400, "too_large");
    assertThat(get(cluster, 1, uri("/export.svg")).status()).as("SVG has no pixel limit").isEqualTo(200);
    assertThat(get(cluster, 0, uri("/export.png?scale=4")).status()).as("the largest scale").isEqualTo(200);
  }
}
