import CytoCore
import CytoTransforms
import Testing

@Suite("Spillover matrix text")
struct MatrixTextTests {
  @Test func csvWithAndWithoutRowNames() throws {
    let plain = try SpilloverMatrix(csv: "FITC-A,PE-A\n1,0.12\n0.02,1\n")
    #expect(plain.detectors == ["FITC-A", "PE-A"] && plain.fluorochromes == ["FITC-A", "PE-A"])
    #expect(plain.values == [1, 0.12, 0.02, 1])
    let corner = try SpilloverMatrix(csv: ",FITC-A,PE-A\r\nFITC-A,1,0.12\r\nPE-A,0.02,1\r\n")
    #expect(corner == plain)
    let noCorner = try SpilloverMatrix(csv: "FITC-A,PE-A\nFITC-A,1,0.12\nPE-A,0.02,1")
    #expect(noCorner == plain)
    let labelled = try SpilloverMatrix(csv: "\u{FEFF}\"Channel\",\"FITC-A\",\"PE-A\"\r\"FITC-A\",1,1.2e-1\r\r\"PE-A\", 0.02 , 1\r")
    #expect(labelled == plain)
  }

  @Test func spectralCsvWithFewerRows() throws {
    let m = try SpilloverMatrix(csv: ",PE-A,PerCP-Cy5-5-A,APC-A\nP1,0.78,0.13,0.22\nP2,0.05,0.57,0.89\n")
    #expect(m.fluorochromes == ["P1", "P2"] && m.detectors.count == 3)
    #expect(try CompensationMatrix(m).derivation == .leastSquares)
  }

  @Test func quotedNamesAndTsv() throws {
    let m = try SpilloverMatrix(csv: "\"Pacific Blue-A\",\"A, \"\"odd\"\" name\"\n1,0\n0,1\n")
    #expect(m.detectors == ["Pacific Blue-A", "A, \"odd\" name"])
    let t = try SpilloverMatrix(tsv: "FITC-A\tPacific Blue-A\n1\t0.3\n0\t1\n")
    #expect(t.detectors == ["FITC-A", "Pacific Blue-A"] && t.values == [1, 0.3, 0, 1])
  }

  @Test func csvErrorsNameLineAndField() {
    func error(_ text: String) -> MatrixTextError? {
      do { _ = try SpilloverMatrix(csv: text); return nil } catch { return error }
    }
    #expect(error("") == MatrixTextError(.empty, line: 1))
    #expect(error("\n  \n") == MatrixTextError(.empty, line: 1))
    #expect(error("A,B\n1,0\n0,x\n") == MatrixTextError(.notANumber("x"), line: 3, column: 2))
    #expect(error("A,B\n1,0\n0,nan\n") == MatrixTextError(.notANumber("nan"), line: 3, column: 2))
    #expect(error("A,B\n1,0\n0,1,2,3\n") == MatrixTextError(.fieldCount(expected: 2, found: 4), line: 3))
    #expect(error("A,B\n1,0\n") == MatrixTextError(.rowCount(expected: 2, found: 1), line: 2))
    #expect(error("A,B\n\n1,0\n0,1\n0,1\n") == MatrixTextError(.rowCount(expected: 2, found: 3), line: 5))
    #expect(error("A,A\n1,0\n0,1\n") == MatrixTextError(.duplicateChannelName("A"), line: 1, column: 2))
    #expect(error("A,,C\n1,0,0\n0,1,0\n0,0,1\n") == MatrixTextError(.emptyChannelName, line: 1, column: 2))
    #expect(error("\"A,B\n1,0\n") == MatrixTextError(.unterminatedQuote, line: 1, column: 1))
    #expect(error("\"A\"x,B\n1,0\n0,1\n") == MatrixTextError(.textAfterClosingQuote, line: 1, column: 1))
    #expect(error(",A,B\nX,1,0\nX,0,1\n") == MatrixTextError(.duplicateChannelName("X"), line: 3, column: 1))
    #expect(error("A,B") == MatrixTextError(.rowCount(expected: 2, found: 0), line: 1))
    #expect(error("A,B\n1,0\n0,x\n")?.description == "line 3, field 2: \"x\" is not a finite number")
  }

  /// The example of FlowJo's manual ("Compensation Matrix File", v3), CR line ends.
  @Test func flowJoMatrixFile() throws {
    let text = "HRH 960814\r<\t>\rFluor\tPhyEry\tCy5PE\r1.0000\t0.1803\t0.0404\r0.0091\t1.0000\t0.2595\r0.0045\t0.0473\t1.0000\r"
    let f = try FlowJoMatrixText(parsing: text)
    #expect(f.title == "HRH 960814" && f.prefix == "<" && f.suffix == ">")
    #expect(f.matrix.detectors == ["Fluor", "PhyEry", "Cy5PE"])
    #expect(f.matrix.values == [1, 0.1803, 0.0404, 0.0091, 1, 0.2595, 0.0045, 0.0473, 1])
    // v9 form: names and values only.
    let bare = try SpilloverMatrix(flowJoMatrix: "Fluor\tPhyEry\n1\t0.18\n0.0091\t1\n")
    #expect(bare.values == [1, 0.18, 0.0091, 1])
    let titled = try FlowJoMatrixText(parsing: "My comp\nFITC-A\tPE-A\n1\t0.1\n0.2\t1\n")
    #expect(titled.title == "My comp" && titled.prefix == nil)
  }

  @Test func flowJoMatrixErrors() {
    func error(_ text: String) -> MatrixTextError? {
      do { _ = try FlowJoMatrixText(parsing: text); return nil } catch { return error }
    }
    #expect(error("<?xml version=\"1.0\"?>\n<CompensationMatrix>")?.kind == .unsupportedFormat("FlowJo XML compensation matrix; save it from FlowJo as text or CSV"))
    #expect(error("A\tB\n1\t0\n") == MatrixTextError(.rowCount(expected: 2, found: 1), line: 1))
    #expect(error("A\tB\n1\t0\n0\t1\t2\n") == MatrixTextError(.fieldCount(expected: 2, found: 3), line: 3))
    #expect(error("t\np\ts\nx\ny\nA\tB\n1\t0\n0\t1\n") == MatrixTextError(.unexpectedLine, line: 2))
    #expect(error("1\t0\n0\t1\n") == MatrixTextError(.unexpectedLine, line: 1))
    #expect(error("") == MatrixTextError(.empty, line: 1))
  }
}
