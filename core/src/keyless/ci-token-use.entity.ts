import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A keyless CI token that deployed: its `jti` may not deploy again. Written in the transaction
 * that records the delivery's revision, so a refused or failed delivery does not use the token
 * up; rows are dropped once the token has expired (it is refused for that anyway).
 */
@Entity('ci_token_use')
@Index(['expiresAt'])
export class CiTokenUse {
  @PrimaryColumn('text') issuer!: string;
  @PrimaryColumn('text') jti!: string;
  @Column('timestamptz') expiresAt!: Date;
  @CreateDateColumn({ type: 'timestamptz' }) usedAt!: Date;
}
