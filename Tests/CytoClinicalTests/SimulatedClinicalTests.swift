import CytoClinical
import CytoSimulation
import Testing

/// The simulated labs and events `simulate --timeline` writes read back through the import's
/// CSV readers and tell the story the demo needs: IgG under 4 g/L during aplasia, one IVIG
/// course, a grade-1 CRS on day 2 with an end, CAR transgene copies with bounds, the ALC.
@Suite struct SimulatedClinicalTests {
  @Test(arguments: [(UInt64(11), "P01"), (12, "P02"), (13, "P03"), (99, "X")])
  func theSimulatedCourseReadsBackAndShowsTheWholePicture(seed: UInt64, patient: String) throws {
    let course = PatientCourse(patient: patient, seed: seed)
    let labs = try LabCSVReader.read(course.labsCSV, file: "labs.csv", firstInfusionDate: { _ in nil })
    let events = try EventCSVReader.read(course.eventsCSV, file: "events.csv", firstInfusionDate: { _ in nil })
    let c = ClinicalCourse.compute(labs: labs.rows, events: events.rows)

    // IgG: normal at baseline, below 4 g/L on some day of aplasia not confounded by IVIG.
    #expect(c.igG.first.map { $0.day == -7 && $0.belowThreshold == false } == true)
    let lowOwn = c.igG.filter { $0.belowThreshold == true && $0.confoundingDose == nil && $0.day < course.reconstitutionDay }
    #expect(!lowOwn.isEmpty)
    // One IVIG course of three 0.4 g/kg doses, 28 days apart, after the first low reading.
    let doses = c.ivigDoses.map(\.startDay)
    #expect(doses.count == 3 && zip(doses, doses.dropFirst()).allSatisfy { $1 - $0 == 28 })
    #expect(c.ivigDoses.allSatisfy { $0.gramsPerKilogram == 0.4 } && doses[0] > lowOwn[0].day)
    #expect(c.monthsOnIVIG == 84 / 30.4375)
    // Readings after the doses are flagged as confounded and raised by donor IgG.
    let confounded = c.flagged(.ivigConfounded)
    #expect(!confounded.isEmpty && confounded.allSatisfy { course.igG(day: $0.day) > course.ownIgG(day: $0.day) })
    // Grade-1 CRS on day 2 with an end.
    let crs = try #require(c.crs)
    #expect(crs.maxGrade == 1 && crs.onsetDay == 2 && (crs.durationDays == 2 || crs.durationDays == 3) && c.icans == nil)
    // CAR transgene: measured at the peak, a bound late, following the CAR T cells.
    let peak = try #require(c.carTransgene.filter { $0.measurement.value != nil }.max { $0.measurement.number < $1.measurement.number })
    #expect(peak.day == 7 || peak.day == 14)
    #expect(c.carTransgene.last?.measurement.lessThan == PatientCourse.transgeneLLOQ)
    // ALC: the course's lymphocytes at every visit, in cells/µL.
    #expect(c.alc.count == course.days.count)
    for p in c.alc { #expect(abs(p.measurement.number - course.lymphocytes(day: p.day)) <= 5) }
  }
}
