/**
 * The parts of a SARIF 2.1.0 log that findings are read from. The schema
 * (schemas/sarif-2.1.0.schema.json) has already checked the shapes, so these
 * only name what we use; everything is optional as in the standard.
 */
export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifLog {
  version: '2.1.0';
  runs?: SarifRun[] | null;
}

export interface SarifRun {
  tool: { driver: SarifToolComponent; extensions?: SarifToolComponent[] };
  originalUriBaseIds?: Record<string, SarifArtifactLocation>;
  artifacts?: { location?: SarifArtifactLocation }[];
  results?: SarifResult[];
}

export interface SarifToolComponent {
  name: string;
  guid?: string;
  rules?: SarifRule[];
  globalMessageStrings?: Record<string, SarifMultiformatString>;
}

export interface SarifRule {
  id: string;
  helpUri?: string;
  shortDescription?: SarifMultiformatString;
  messageStrings?: Record<string, SarifMultiformatString>;
  defaultConfiguration?: { level?: SarifLevel; enabled?: boolean };
}

export interface SarifMultiformatString {
  text: string;
  markdown?: string;
}

export interface SarifMessage {
  text?: string;
  markdown?: string;
  id?: string;
  arguments?: string[];
}

export interface SarifArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  index?: number;
}

export interface SarifRegion {
  startLine?: number;
  endLine?: number;
}

export interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  rule?: { id?: string; index?: number; guid?: string; toolComponent?: { name?: string; index?: number; guid?: string } };
  kind?: 'notApplicable' | 'pass' | 'fail' | 'review' | 'open' | 'informational';
  level?: SarifLevel;
  message: SarifMessage;
  locations?: {
    physicalLocation?: { artifactLocation?: SarifArtifactLocation; region?: SarifRegion };
    logicalLocations?: unknown[];
  }[];
  suppressions?: { kind: 'inSource' | 'external'; status?: 'accepted' | 'underReview' | 'rejected' }[];
  baselineState?: 'new' | 'unchanged' | 'updated' | 'absent';
}
