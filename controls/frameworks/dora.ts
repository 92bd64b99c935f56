/** DORA, Regulation (EU) 2022/2554: ICT risk management (Art. 5–16), incidents (17–23), testing (24–27), third parties (28–30). */
import type { Framework } from "../types.js";

const doc = (evidenceByDocument: string) => ({ organisational: true, evidenceByDocument });

export const dora: Framework = {
  id: "dora",
  title: "DORA — Regulation (EU) 2022/2554 on digital operational resilience, Articles 5–30",
  requirements: [
    {
      id: "Art.5",
      title: "Governance and organisation",
      ...doc("ICT risk governance: management body responsibilities and approvals."),
    },
    {
      id: "Art.6",
      title: "ICT risk management framework",
      ...doc("Documented ICT risk management framework, reviewed yearly."),
    },
    { id: "Art.7", title: "ICT systems, protocols and tools" },
    { id: "Art.8", title: "Identification" },
    { id: "Art.9", title: "Protection and prevention" },
    { id: "Art.10", title: "Detection" },
    { id: "Art.11", title: "Response and recovery" },
    {
      id: "Art.12",
      title: "Backup policies and procedures, restoration and recovery procedures and methods",
    },
    {
      id: "Art.13",
      title: "Learning and evolving",
      ...doc("Post-incident reviews, training programme, lessons learned."),
    },
    { id: "Art.14", title: "Communication", ...doc("Crisis communication plans and disclosure policies.") },
    {
      id: "Art.15",
      title: "Further harmonisation of ICT risk management tools, methods, processes and policies",
      ...doc("Applicable regulatory technical standards and the mapping to them."),
    },
    {
      id: "Art.16",
      title: "Simplified ICT risk management framework",
      ...doc("Simplified framework, where eligible."),
    },
    { id: "Art.17", title: "ICT-related incident management process" },
    {
      id: "Art.18",
      title: "Classification of ICT-related incidents and cyber threats",
      ...doc("Incident classification criteria and records."),
    },
    {
      id: "Art.19",
      title:
        "Reporting of major ICT-related incidents and voluntary notification of significant cyber threats",
      ...doc("Major incident reports submitted to the competent authority."),
    },
    {
      id: "Art.20",
      title: "Harmonisation of reporting content and templates",
      ...doc("Use of the harmonised reporting templates."),
    },
    {
      id: "Art.21",
      title: "Centralisation of reporting of major ICT-related incidents",
      ...doc("Not an obligation of the financial entity; listed for completeness."),
    },
    {
      id: "Art.22",
      title: "Supervisory feedback",
      ...doc("Feedback received from supervisors and actions taken."),
    },
    {
      id: "Art.23",
      title:
        "Operational or security payment-related incidents concerning credit, payment and e-money institutions",
      ...doc("Payment-related incident reports, where applicable."),
    },
    {
      id: "Art.24",
      title: "General requirements for the performance of digital operational resilience testing",
      ...doc("Digital operational resilience testing programme."),
    },
    { id: "Art.25", title: "Testing of ICT tools and systems" },
    {
      id: "Art.26",
      title: "Advanced testing of ICT tools, systems and processes based on TLPT",
      ...doc("Threat-led penetration testing reports and attestations."),
    },
    {
      id: "Art.27",
      title: "Requirements for testers for the carrying out of TLPT",
      ...doc("Tester qualifications."),
    },
    {
      id: "Art.28",
      title: "General principles (ICT third-party risk management)",
      ...doc("Register of information on ICT third-party arrangements; third-party risk strategy."),
    },
    {
      id: "Art.29",
      title: "Preliminary assessment of ICT concentration risk at entity level",
      ...doc("Concentration risk assessment."),
    },
    {
      id: "Art.30",
      title: "Key contractual provisions",
      ...doc("ICT service contracts with the mandatory clauses."),
    },
  ],
};
