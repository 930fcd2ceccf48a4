import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const open = (description: string) => ({ type: 'object' as const, additionalProperties: true, description });

/** An xAPI 1.0.3 statement as sent to the LRS (the parts we set; see README "xAPI"). */
export class XapiStatementDto {
  @ApiProperty({
    format: 'uuid',
    description: 'UUID v5 of the event id and the statement’s name (`answered:<questionId>`…)',
  })
  id: string;

  @ApiProperty(open('Agent: `account { homePage, name: externalId }` when the learner has an external id, else `mbox`'))
  actor: Record<string, unknown>;

  @ApiProperty(open('`id` (an ADL verb IRI) and `display`'))
  verb: Record<string, unknown>;

  @ApiProperty(open('The activity: module, quiz or question (with its interaction definition)'))
  object: Record<string, unknown>;

  @ApiPropertyOptional(open('response, score, success, completion, duration'))
  result?: Record<string, unknown>;

  @ApiPropertyOptional(open('registration (the attempt id) and contextActivities'))
  context?: Record<string, unknown>;

  @ApiProperty({ format: 'date-time', description: 'When the event happened' })
  timestamp: string;
}

export class XapiStatementListDto {
  @ApiProperty({ type: [XapiStatementDto], description: 'Oldest first, as the events were written' })
  items: XapiStatementDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
