import CytoClinical
import Testing

@Suite struct PanelResourceTests {
  @Test func placeholder() {}
}
