/** NIS2 Directive (EU) 2022/2555: the cybersecurity risk-management measures of Article 21(2) and reporting (Art. 23). */
import type { Framework } from "../types.js";

export const nis2: Framework = {
  id: "nis2",
  title: "NIS2 Directive (EU) 2022/2555 — Articles 21(2) and 23",
  requirements: [
    {
      id: "21.2.a",
      title: "Policies on risk analysis and information system security",
      organisational: true,
      evidenceByDocument:
        "Information security policy and risk analysis approved by the management body (Art. 20), with review dates.",
    },
    {
      id: "21.2.b",
      title: "Incident handling",
      evidenceByDocument:
        "Incident handling procedure (detection, triage, escalation, post-incident review) and the incident register.",
    },
    {
      id: "21.2.c",
      title: "Business continuity, such as backup management and disaster recovery, and crisis management",
      evidenceByDocument:
        "Business continuity and disaster recovery plans, restore test records, crisis management procedure.",
    },
    {
      id: "21.2.d",
      title:
        "Supply chain security, including security-related aspects of the relationships with direct suppliers or service providers",
      evidenceByDocument: "Supplier register with security clauses and supplier risk assessments.",
    },
    {
      id: "21.2.e",
      title:
        "Security in network and information systems acquisition, development and maintenance, including vulnerability handling and disclosure",
      // Partly organisational: patch level and configuration are checked on machines, disclosure is a document.
      organisational: true,
      evidenceByDocument:
        "Vulnerability handling and coordinated disclosure policy; secure development and change management procedures.",
    },
    {
      id: "21.2.f",
      title: "Policies and procedures to assess the effectiveness of cybersecurity risk-management measures",
      organisational: true,
      evidenceByDocument:
        "Assessment programme (internal audits, control testing schedule, KPIs) and its latest results reviewed by management.",
    },
    {
      id: "21.2.g",
      title: "Basic cyber hygiene practices and cybersecurity training",
      organisational: true,
      evidenceByDocument:
        "Training plan and attendance records (including management body training, Art. 20(2)); cyber hygiene rules.",
    },
    {
      id: "21.2.h",
      title: "Policies and procedures regarding the use of cryptography and, where appropriate, encryption",
      evidenceByDocument:
        "Cryptography policy (approved algorithms, key management, encryption at rest and in transit).",
    },
    {
      id: "21.2.i",
      title: "Human resources security, access control policies and asset management",
      // HR security is organisational; access control on machines is checked by technical controls.
      organisational: true,
      evidenceByDocument:
        "HR security procedures (screening, joiners/movers/leavers), access control policy, asset inventory.",
    },
    {
      id: "21.2.j",
      title:
        "Multi-factor or continuous authentication, secured voice, video and text communications and secured emergency communication systems, where appropriate",
      evidenceByDocument:
        "MFA policy and its scope; description of secured communication and emergency communication systems.",
    },
    {
      id: "23",
      title:
        "Reporting obligations (early warning within 24 h, incident notification within 72 h, final report)",
      evidenceByDocument:
        "Incident notification procedure naming the CSIRT/competent authority and the reporting timelines.",
    },
  ],
};
