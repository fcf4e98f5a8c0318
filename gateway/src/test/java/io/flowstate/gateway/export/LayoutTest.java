package io.flowstate.gateway.export;

import static io.flowstate.gateway.export.ExportFixtures.points;
import static io.flowstate.gateway.export.ExportFixtures.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Export layout and colours")
class LayoutTest {

  @Test
  @DisplayName("sticky text keeps hard breaks, wraps words at the estimated width and cuts words longer than a line")
  void wrapping() {
    // 10 characters fit: 60 / (0.6 * 10)
    assertThat(ShapeLayout.wrap("aaa bbb ccc ddd\n\nabcdefghijklmnopq x", 60, 10))
        .containsExactly("aaa bbb", "ccc ddd", "", "abcdefghij", "klmnopq x");
    assertThat(ShapeLayout.wrap("\ud83d\ude00\ud83d\ude00\ud83d\ude00", 6, 10))
        .as("cuts between code points, never inside a surrogate pair")
        .containsExactly("\ud83d\ude00", "\ud83d\ude00", "\ud83d\ude00");
    assertThat(ShapeLayout.lines("a\r\nb\rc\nd")).containsExactly("a", "b", "c", "d");
  }

  @Test
  @DisplayName("points are relative to the origin, and a line without points runs from the origin to x+w, y+h")
  void relativePoints() {
    ShapeLayout line = ShapeLayout.of(points(shape("l", "line", 10, 20), 0, 0, 5, -5));
    assertThat(line.points()).containsExactly(10, 20, 15, 15);
    ShapeLayout sized = ShapeLayout.of(shape("l", "line", 10, 20).put("w", 30).put("h", 40));
    assertThat(sized.points()).containsExactly(10, 20, 40, 60);
    assertThat(ShapeLayout.of(shape("p", "path", 10, 20)).bounds()).as("a path without points draws nothing").isNull();
  }

  @Test
  @DisplayName("an arrowhead points along the last segment, 4 stroke widths long and 4 wide")
  void arrowHead() {
    ShapeLayout arrow = ShapeLayout.of(points(shape("a", "arrow", 0, 0), 0, 0, 100, 0, 100, 0));
    double[] head = arrow.arrowHead();
    assertThat(head).hasSize(6);
    assertThat(head[0]).isEqualTo(100);
    assertThat(head[2]).isCloseTo(92, within(1e-9));
    assertThat(Math.abs(head[3] - head[5])).isCloseTo(8, within(1e-9));
  }

  @Test
  @DisplayName("parses hex, rgb(), hsl() and named colours, none and transparent; anything else falls back")
  void colours() {
    assertThat(Paint.parse("#f00", null)).isEqualTo(new Paint(255, 0, 0, 1));
    assertThat(Paint.parse(" #FF000080 ", null).alpha()).isCloseTo(128 / 255.0, within(1e-9));
    assertThat(Paint.parse("rgb(0 128 255 / 50%)", null)).isEqualTo(new Paint(0, 128, 255, 0.5));
    assertThat(Paint.parse("rgba(10, 20, 30, 0.25)", null)).isEqualTo(new Paint(10, 20, 30, 0.25));
    assertThat(Paint.parse("hsl(120, 100%, 50%)", null)).isEqualTo(new Paint(0, 255, 0, 1));
    assertThat(Paint.parse("RebeccaPurple", null)).isEqualTo(new Paint(0x66, 0x33, 0x99, 1));
    assertThat(Paint.parse("transparent", null).isNone()).isTrue();
    assertThat(Paint.parse("none", Paint.BLACK).isNone()).isTrue();
    for (String bad : new String[] {"#12", "#ggg", "rgb(1,2)", "rgb(a,b,c)", "url(#x)", "javascript:x", "", "hsl(1e999, 1%, 1%)"}) {
      assertThat(Paint.parse(bad, Paint.BLACK)).as(bad).isSameAs(Paint.BLACK);
    }
  }
}
