import CytoReport
import Testing

@Suite struct HTMLTextTests {
  @Test func scriptTagsBecomeText() {
    #expect(htmlEscaped("<script>alert('x & \"y\"')</script>") == "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;")
    #expect(htmlEscaped("CD19⁺ B cells") == "CD19⁺ B cells")
  }
}
