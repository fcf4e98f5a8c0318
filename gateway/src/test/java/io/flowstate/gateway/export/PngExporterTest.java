package io.flowstate.gateway.export;

import static io.flowstate.gateway.export.ExportFixtures.oneOfEach;
import static io.flowstate.gateway.export.ExportFixtures.shape;
import static io.flowstate.gateway.export.ExportFixtures.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The PNG exporter")
class PngExporterTest {
  private final PngExporter exporter = new PngExporter(16_000_000);

  private static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("ImageIO decodes the PNG").isNotNull();
    return image;
  }

  /** ARGB of the pixel showing canvas point (x, y). */
  private static int pixel(BufferedImage image, Scene scene, double scale, double x, double y) {
    return image.getRGB((int) Math.floor((x - scene.bounds().minX()) * scale),
        (int) Math.floor((y - scene.bounds().minY()) * scale));
  }

  private static ObjectNode filled(ObjectNode shape, String fill) {
    shape.set("style", Json.object().put("fill", fill));
    return shape;
  }

  @Test
  @DisplayName("decodes with ImageIO and is the scene bounds times the scale in pixels, at scale 1 and 2")
  void sizeFollowsScale() throws IOException {
    Scene scene = Scene.of(oneOfEach());
    BufferedImage one = decode(exporter.render(scene, 1));
    BufferedImage two = decode(exporter.render(scene, 2));
    assertThat(one.getWidth()).isEqualTo((int) Math.ceil(scene.bounds().width()));
    assertThat(one.getHeight()).isEqualTo((int) Math.ceil(scene.bounds().height()));
    assertThat(two.getWidth()).isEqualTo((int) Math.ceil(scene.bounds().width() * 2));
    assertThat(two.getHeight()).isEqualTo((int) Math.ceil(scene.bounds().height() * 2));
    Scene rect = Scene.of(state(shape("r", "rect", 0, 0).put("w", 100).put("h", 50)));
    assertThat(exporter.size(rect, 1)).isEqualTo(new PngExporter.PixelSize(134, 84));
    assertThat(exporter.size(rect, 0.5)).isEqualTo(new PngExporter.PixelSize(67, 42));
  }

  @Test
  @DisplayName("shows a shape's fill colour at its centre pixel, and the default sticky colour for a sticky without fill")
  void fillAtCentre() throws IOException {
    Scene scene = Scene.of(state(
        filled(shape("red", "rect", 0, 0).put("w", 100).put("h", 100), "#ff0000"),
        filled(shape("blue", "ellipse", 200, 0).put("w", 60).put("h", 40), "blue"),
        shape("note", "sticky", 0, 200).put("w", 100).put("h", 100)));
    for (double scale : new double[] {1, 2}) {
      BufferedImage image = decode(exporter.render(scene, scale));
      assertThat(pixel(image, scene, scale, 50, 50)).isEqualTo(0xffff0000);
      assertThat(pixel(image, scene, scale, 230, 20)).isEqualTo(0xff0000ff);
      assertThat(pixel(image, scene, scale, 50, 250)).isEqualTo(0xfffff59d);
      assertThat(pixel(image, scene, scale, 150, 150) >>> 24).as("nothing drawn there: transparent").isZero();
    }
  }

  @Test
  @DisplayName("rotates a shape clockwise about its box centre")
  void rotation() throws IOException {
    Scene scene = Scene.of(state(
        filled(shape("bar", "rect", 0, 0).put("w", 200).put("h", 20).put("rotation", 90), "#00ff00")));
    BufferedImage image = decode(exporter.render(scene, 1));
    assertThat(pixel(image, scene, 1, 100, -60)).as("covered only after rotating").isEqualTo(0xff00ff00);
    assertThat(pixel(image, scene, 1, 100, 80)).isEqualTo(0xff00ff00);
    assertThat(scene.bounds().minX()).isGreaterThan(50);
  }

  @Test
  @DisplayName("draws text with the default sans-serif font")
  void text() throws IOException {
    ObjectNode text = shape("t", "text", 0, 0).put("text", "HELLO");
    text.set("style", Json.object().put("fontSize", 40).put("stroke", "#000000"));
    Scene scene = Scene.of(state(text));
    BufferedImage image = decode(exporter.render(scene, 1));
    int inked = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        inked += (image.getRGB(x, y) >>> 24) > 128 ? 1 : 0;
      }
    }
    assertThat(inked).as("opaque text pixels").isGreaterThan(200);
  }

  @Test
  @DisplayName("refuses an image over the pixel limit as too_large and a scale outside (0, 4] as bad_request")
  void refusals() {
    Scene scene = Scene.of(state(shape("big", "rect", 0, 0).put("w", 1000).put("h", 1000)));
    PngExporter small = new PngExporter(1_000_000);
    assertThatThrownBy(() -> small.render(scene, 1))
        .isInstanceOfSatisfying(FlowStateException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE))
        .hasMessageContaining("1034x1034");
    assertThat(small.size(scene, 0.5)).isEqualTo(new PngExporter.PixelSize(517, 517));
    Scene far = Scene.of(state(shape("a", "rect", -1e300, 0), shape("b", "rect", 1e300, 0)));
    assertThatThrownBy(() -> exporter.render(far, 1)).isInstanceOfSatisfying(FlowStateException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
    for (double bad : new double[] {0, -1, 4.01, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> exporter.render(scene, bad)).isInstanceOfSatisfying(FlowStateException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
  }

  @Test
  @DisplayName("renders an empty canvas as a small transparent image")
  void empty() throws IOException {
    BufferedImage image = decode(exporter.render(Scene.of(state()), 1));
    assertThat(image.getWidth()).isEqualTo(32);
    assertThat(image.getHeight()).isEqualTo(32);
    assertThat(image.getRGB(16, 16) >>> 24).isZero();
  }
}
